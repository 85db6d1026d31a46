import { randomBytes } from 'node:crypto';
import { CachingKeyring, DataKeyCache, decrypt, encrypt } from '@polykms/envelope';
import { RawAesKeyring } from '@polykms/local';
import { describe, expect, it } from 'vitest';

// Raw AES keyrings describe themselves by namespace and name only, whatever their wrapping key:
// the case that made the data-key cache tell keyrings apart by object rather than by description.
describe('RawAesKeyring behind a shared CachingKeyring partition', () => {
  const lookAlike = () =>
    new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: randomBytes(32) });

  it('keeps two raw AES keyrings with one name but different wrapping keys apart', async () => {
    const a = lookAlike();
    const b = lookAlike();
    expect(a.description).toBe(b.description);
    const cache = new DataKeyCache();
    const cachedA = new CachingKeyring({ keyring: a, cache, maxAge: 60_000, partition: 'shared' });
    const cachedB = new CachingKeyring({ keyring: b, cache, maxAge: 60_000, partition: 'shared' });

    const { message } = await encrypt(Buffer.from('for A only'), { keyring: a });
    await decrypt(message, { keyring: cachedA });
    await expect(decrypt(message, { keyring: cachedB })).rejects.toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });

    await encrypt(Buffer.from('x'), { keyring: cachedA });
    const { message: fromB } = await encrypt(Buffer.from('y'), { keyring: cachedB });
    expect(Buffer.from((await decrypt(fromB, { keyring: b })).plaintext).toString()).toBe('y');
  });
});
