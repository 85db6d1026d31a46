import { describe, expect, it } from 'vitest';
import { DecryptionFailedError, type EncryptedDataKey, NoDecryptableKeyError } from '@polykms/envelope';
import { unwrapFirstWithKey } from '@polykms/envelope/driver';

function edk(providerInfo: string): EncryptedDataKey {
  return {
    providerId: 'test',
    providerInfo: new TextEncoder().encode(providerInfo),
    ciphertext: new Uint8Array([1]),
  };
}

const keyOf = (e: EncryptedDataKey) => {
  const name = new TextDecoder().decode(e.providerInfo);
  return name.startsWith('mine:') ? { name } : undefined;
};

describe('unwrapFirstWithKey', () => {
  it('returns null without opening anything when no EDK yields a key', async () => {
    const opened: string[] = [];
    const result = await unwrapFirstWithKey(
      [edk('other:a'), edk('other:b')],
      keyOf,
      async (_e, key) => {
        opened.push(key.name);
        return new Uint8Array(32);
      },
      (key) => key.name,
    );
    expect(result).toBeNull();
    expect(opened).toEqual([]);
  });

  it('opens only EDKs that yield a key, in message order, with the key read from that EDK', async () => {
    const edks = [edk('other:a'), edk('mine:b'), edk('mine:c')];
    const opened: string[] = [];
    const result = await unwrapFirstWithKey(
      edks,
      keyOf,
      async (_e, key) => {
        opened.push(key.name);
        if (key.name === 'mine:b') throw new DecryptionFailedError({ provider: 'test' });
        return new Uint8Array(32).fill(7);
      },
      (key) => key.name,
    );
    expect(opened).toEqual(['mine:b', 'mine:c']);
    expect(result?.encryptedDataKey).toBe(edks[2]);
    expect(result?.dataKey.every((b) => b === 7)).toBe(true);
  });

  it('reads the key of each EDK once', async () => {
    let reads = 0;
    await unwrapFirstWithKey(
      [edk('mine:a'), edk('other:b')],
      (e) => {
        reads += 1;
        return keyOf(e);
      },
      async () => {
        throw new DecryptionFailedError({ provider: 'test' });
      },
      (key) => key.name,
    ).catch(() => undefined);
    expect(reads).toBe(2);
  });

  it('describes each failure by the key read from its EDK', async () => {
    const attempt = unwrapFirstWithKey(
      [edk('mine:a'), edk('mine:b')],
      keyOf,
      async () => {
        throw new DecryptionFailedError({ provider: 'test' });
      },
      (key) => `test ${key.name}`,
    );
    await expect(attempt).rejects.toBeInstanceOf(NoDecryptableKeyError);
    const error = (await attempt.catch((e: unknown) => e)) as NoDecryptableKeyError;
    expect(error.failures.map((f) => f.recipient)).toEqual(['test mine:a', 'test mine:b']);
  });
});
