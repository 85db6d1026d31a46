import { describe, expect, it } from 'vitest';
import { MultiKeyring, decrypt, encrypt, isPolykmsError, rewrap } from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';

/** Three slow recipients sharing one call log. */
function clouds(delayMs = 20) {
  const log: string[] = [];
  return {
    log,
    aws: testKeyring('aws', { delayMs, log }),
    gcp: testKeyring('gcp', { delayMs, log }),
    azure: testKeyring('azure', { delayMs, log }),
  };
}

function wrapEvents(log: readonly string[]): string[] {
  return log.filter((e) => e.endsWith(' wrap'));
}

describe('multi-keyring recipient policies', () => {
  it('wraps for the children concurrently: every child starts before any finishes', async () => {
    const { log, aws, gcp, azure } = clouds();
    await encrypt(bytes(10), { keyring: new MultiKeyring({ generator: aws, children: [gcp, azure] }) });
    const events = wrapEvents(log);
    expect(events.slice(0, 2)).toEqual(['start aws wrap', 'end aws wrap']);
    expect(events.slice(2, 4).sort()).toEqual(['start azure wrap', 'start gcp wrap']);
    expect(events.slice(4).sort()).toEqual(['end azure wrap', 'end gcp wrap']);
  });

  it('with generateLocally, wraps for every recipient at once: one round trip, the slowest', async () => {
    const { log, aws, gcp, azure } = clouds();
    const keyring = new MultiKeyring({ generator: aws, children: [gcp, azure], generateLocally: true });
    const plaintext = bytes(100);
    const { message } = await encrypt(plaintext, { keyring });
    const events = wrapEvents(log);
    expect(events.slice(0, 3).sort()).toEqual(['start aws wrap', 'start azure wrap', 'start gcp wrap']);
    for (const single of [aws, gcp, azure]) {
      expect(Buffer.from((await decrypt(message, { keyring: single })).plaintext).equals(plaintext)).toBe(
        true,
      );
    }
  });

  it('is all-or-nothing by default: one recipient down fails the encrypt, naming it', async () => {
    const { aws, gcp, azure } = clouds(0);
    azure.down = true;
    const error = await encrypt(bytes(10), {
      keyring: new MultiKeyring({ generator: aws, children: [gcp, azure] }),
    }).catch((e) => e);
    expect(isPolykmsError(error, 'ERR_RECIPIENTS_UNAVAILABLE')).toBe(true);
    expect(error.failures.map((f: { recipient: string }) => f.recipient)).toEqual(['test azure']);
    expect(error.retryable).toBe(true);
  });

  it('with minRecipients, reports the missing recipient, which rewrap can add later', async () => {
    const { aws, gcp, azure } = clouds(0);
    azure.down = true;
    const plaintext = bytes(100);
    const result = await encrypt(plaintext, {
      keyring: new MultiKeyring({ generator: aws, children: [gcp, azure], minRecipients: 2 }),
    });
    expect(result.missingRecipients.map((f) => f.recipient)).toEqual(['test azure']);
    expect(result.missingRecipients[0]!.error.code).toBe('ERR_UNAVAILABLE');
    await expect(decrypt(result.message, { keyring: azure })).rejects.toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });

    azure.down = false;
    const { message } = await rewrap(result.message, {
      decryptKeyring: aws,
      keyring: azure,
      mode: 'add',
      // Re-encryption wraps the new data key for the kept recipients too.
      keptRecipientKeyring: (edk) =>
        [aws, gcp].find((k) => k.description === `test ${Buffer.from(edk.providerInfo)}`),
    });
    expect(Buffer.from((await decrypt(message, { keyring: azure })).plaintext).equals(plaintext)).toBe(true);
  });

  it('fails when fewer than minRecipients wrap, and always when the generator is down', async () => {
    const { aws, gcp, azure } = clouds(0);
    gcp.down = true;
    azure.down = true;
    await expect(
      encrypt(bytes(10), {
        keyring: new MultiKeyring({ generator: aws, children: [gcp, azure], minRecipients: 2 }),
      }),
    ).rejects.toMatchObject({ code: 'ERR_RECIPIENTS_UNAVAILABLE' });
    gcp.down = false;
    azure.down = false;
    aws.down = true;
    await expect(
      encrypt(bytes(10), {
        keyring: new MultiKeyring({ generator: aws, children: [gcp, azure], minRecipients: 1 }),
      }),
    ).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' });
  });

  it('decrypts in the configured order and survives any one cloud being down', async () => {
    const { log, aws, gcp, azure } = clouds(0);
    const all = [aws, gcp, azure];
    const plaintext = bytes(100);
    const { message } = await encrypt(plaintext, {
      keyring: new MultiKeyring({ generator: aws, children: [gcp, azure] }),
    });

    log.length = 0;
    const ordered = new MultiKeyring({
      generator: aws,
      children: [gcp, azure],
      decryptOrder: [azure, gcp, aws],
    });
    await decrypt(message, { keyring: ordered });
    expect(log.filter((e) => e.startsWith('start'))).toEqual(['start azure unwrap']);

    for (const down of all) {
      for (const k of all) k.down = k === down;
      log.length = 0;
      const result = await decrypt(message, { keyring: ordered });
      expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
      const tried = log.filter((e) => e.startsWith('start')).length;
      expect(tried).toBe(down === azure ? 2 : 1);
    }

    for (const k of all) k.down = true;
    const error = await decrypt(message, { keyring: ordered }).catch((e) => e);
    expect(isPolykmsError(error, 'ERR_NO_DECRYPTABLE_KEY')).toBe(true);
    expect(error.failures).toHaveLength(3);
    expect(error.retryable).toBe(true);
  });

  it('rejects a decryptOrder naming a keyring it does not hold', () => {
    const { aws, gcp } = clouds(0);
    expect(() => new MultiKeyring({ generator: aws, decryptOrder: [gcp] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
