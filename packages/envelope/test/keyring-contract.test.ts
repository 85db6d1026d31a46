import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type EncryptedDataKey, type Keyring, Suites, unwrapDataKey, wrapDataKey } from '@polykms/envelope';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const edk: EncryptedDataKey = {
  providerId: 'p',
  providerInfo: new Uint8Array([1]),
  ciphertext: new Uint8Array([2]),
};

function keyring(overrides: Partial<Keyring>): Keyring {
  return {
    description: 'test keyring',
    wrap: async () => ({ encryptedDataKeys: [edk] }),
    unwrap: async () => null,
    ...overrides,
  };
}

describe('keyring contract', () => {
  it('rejects a keyring that replaces a data key that was already set, and zeroes its key', async () => {
    const rogue = new Uint8Array(32).fill(7);
    const k = keyring({ wrap: async () => ({ dataKey: rogue, encryptedDataKeys: [edk] }) });
    await expect(
      wrapDataKey(k, { suite, encryptionContext: {}, dataKey: randomBytes(32) }),
    ).rejects.toMatchObject({ code: 'ERR_KEYRING_CONTRACT' });
    expect(rogue.every((b) => b === 0)).toBe(true);
  });

  it('rejects a generator whose data key has the wrong length', async () => {
    const k = keyring({
      wrap: async () => ({ dataKey: new Uint8Array(16).fill(1), encryptedDataKeys: [edk] }),
    });
    await expect(wrapDataKey(k, { suite, encryptionContext: {} })).rejects.toMatchObject({
      code: 'ERR_KEYRING_CONTRACT',
    });
  });

  it('rejects a keyring that wraps no EDK', async () => {
    const k = keyring({ wrap: async () => ({ dataKey: randomBytes(32), encryptedDataKeys: [] }) });
    await expect(wrapDataKey(k, { suite, encryptionContext: {} })).rejects.toMatchObject({
      code: 'ERR_KEYRING_CONTRACT',
    });
  });

  it('copies EDKs so that the keyring cannot change them afterwards', async () => {
    const ciphertext = new Uint8Array([9, 9]);
    const k = keyring({
      wrap: async () => ({ dataKey: randomBytes(32), encryptedDataKeys: [{ ...edk, ciphertext }] }),
    });
    const result = await wrapDataKey(k, { suite, encryptionContext: {} });
    ciphertext[0] = 0;
    expect([...result.encryptedDataKeys[0]!.ciphertext]).toEqual([9, 9]);
  });

  it('rejects a data key for an EDK that was not offered', async () => {
    const foreign: EncryptedDataKey = { ...edk };
    const key = new Uint8Array(32).fill(3);
    const k = keyring({ unwrap: async () => ({ dataKey: key, encryptedDataKey: foreign }) });
    await expect(
      unwrapDataKey(k, { suite, encryptionContext: {}, encryptedDataKeys: [edk] }),
    ).rejects.toMatchObject({ code: 'ERR_KEYRING_CONTRACT' });
    expect(key.every((b) => b === 0)).toBe(true);
  });

  it('passes through a well-formed unwrap', async () => {
    const key = randomBytes(32);
    const k = keyring({ unwrap: async (r) => ({ dataKey: key, encryptedDataKey: r.encryptedDataKeys[0]! }) });
    const result = await unwrapDataKey(k, { suite, encryptionContext: {}, encryptedDataKeys: [edk] });
    expect(result?.dataKey).toBe(key);
  });
});
