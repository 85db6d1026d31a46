import { describe, expect, it } from 'vitest';
import { PURPOSE_CONTEXT_KEY, decrypt, encrypt, isPolykmsError, rewrap } from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';
import { runDecryptStream } from './support/run-decrypt-stream.js';

const keysetLike = { [PURPOSE_CONTEXT_KEY]: 'keyset/v1', dataset: 'orders' };

describe('messages that declare a purpose', () => {
  it('are refused as data, before any keyring call, when the caller does not expect the purpose', async () => {
    const keyring = testKeyring('aws');
    const { message } = await encrypt(bytes(100), { keyring, encryptionContext: keysetLike });
    const before = keyring.calls.unwrap;
    const error = await decrypt(message, { keyring }).catch((e: unknown) => e);
    expect(isPolykmsError(error, 'ERR_CONTEXT_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('keyset/v1');
    expect(keyring.calls.unwrap).toBe(before);
  });

  it('open for a caller that expects that purpose, and only that one', async () => {
    const keyring = testKeyring('aws');
    const plaintext = bytes(100);
    const { message } = await encrypt(plaintext, { keyring, encryptionContext: keysetLike });
    const opened = await decrypt(message, {
      keyring,
      encryptionContext: { [PURPOSE_CONTEXT_KEY]: 'keyset/v1' },
    });
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    const other = await decrypt(message, {
      keyring,
      encryptionContext: { [PURPOSE_CONTEXT_KEY]: 'something-else' },
    }).catch((e: unknown) => e);
    expect(isPolykmsError(other, 'ERR_CONTEXT_MISMATCH')).toBe(true);
  });

  it('are refused by streaming decrypt too, releasing nothing', async () => {
    const keyring = testKeyring('aws');
    const { message } = await encrypt(bytes(5000), {
      keyring,
      encryptionContext: keysetLike,
      frameLength: 1024,
    });
    const { released, error } = await runDecryptStream([message], { keyring });
    expect(isPolykmsError(error, 'ERR_CONTEXT_MISMATCH')).toBe(true);
    expect(released.length).toBe(0);
  });

  it('cannot be rewrapped as data, by either method', async () => {
    const keyring = testKeyring('aws');
    const next = testKeyring('gcp');
    const { message } = await encrypt(bytes(100), { keyring, encryptionContext: keysetLike });
    for (const method of ['re-encrypt', 'header-only'] as const) {
      const error = await rewrap(message, {
        decryptKeyring: keyring,
        keyring: next,
        mode: 'replace',
        method,
        retireOriginal: true,
      }).catch((e: unknown) => e);
      expect(isPolykmsError(error, 'ERR_CONTEXT_MISMATCH'), method).toBe(true);
    }
  });

  it('leave ordinary messages alone', async () => {
    const keyring = testKeyring('aws');
    const { message } = await encrypt(bytes(10), { keyring, encryptionContext: { dataset: 'orders' } });
    await expect(decrypt(message, { keyring })).resolves.toBeDefined();
  });
});
