import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type EncryptedDataKey,
  ErrorCodes,
  type Keyring,
  KmsError,
  Suites,
  wrapDataKey,
} from '@polykms/envelope';
import { sealGivenOrNewDataKey } from '@polykms/envelope/driver';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;

function edkOf(dataKey: Uint8Array): EncryptedDataKey {
  // Not encryption: the tests only need an EDK that records which bytes it was given.
  return { providerId: 'test', providerInfo: new Uint8Array([1]), ciphertext: Uint8Array.from(dataKey) };
}

function failure(): KmsError {
  return new KmsError({
    code: ErrorCodes.ProviderFailure,
    provider: 'test',
    operation: 'seal',
    detail: 'refused',
  });
}

describe('sealGivenOrNewDataKey', () => {
  it('creates a data key of the suite length when the request has none, seals it and returns it', async () => {
    const sealed: Uint8Array[] = [];
    const result = await sealGivenOrNewDataKey({ suite, encryptionContext: {} }, (dataKey) => {
      sealed.push(dataKey);
      return edkOf(dataKey);
    });
    expect(result.dataKey).toBeInstanceOf(Uint8Array);
    expect(result.dataKey?.length).toBe(suite.keyLength);
    expect(sealed).toEqual([result.dataKey]);
    expect(result.encryptedDataKeys).toHaveLength(1);
    expect([...(result.encryptedDataKeys[0]?.ciphertext ?? [])]).toEqual([...(result.dataKey ?? [])]);
    expect(result.dataKey?.some((b) => b !== 0)).toBe(true);
  });

  it('creates a different data key each time', async () => {
    const a = await sealGivenOrNewDataKey({ suite, encryptionContext: {} }, edkOf);
    const b = await sealGivenOrNewDataKey({ suite, encryptionContext: {} }, edkOf);
    expect(Buffer.from(a.dataKey as Uint8Array).equals(Buffer.from(b.dataKey as Uint8Array))).toBe(false);
  });

  it("seals the request's data key and returns no data key of its own", async () => {
    const given = randomBytes(suite.keyLength);
    const sealed: Uint8Array[] = [];
    const result = await sealGivenOrNewDataKey(
      { suite, encryptionContext: {}, dataKey: given },
      (dataKey) => {
        sealed.push(dataKey);
        return edkOf(dataKey);
      },
    );
    expect(sealed).toHaveLength(1);
    expect(sealed[0]).toBe(given);
    expect('dataKey' in result).toBe(false);
    expect(result.encryptedDataKeys).toHaveLength(1);
  });

  it('awaits an asynchronous seal', async () => {
    const result = await sealGivenOrNewDataKey({ suite, encryptionContext: {} }, async (dataKey) => {
      await new Promise((resolve) => setImmediate(resolve));
      return edkOf(dataKey);
    });
    expect(result.encryptedDataKeys).toHaveLength(1);
  });

  it('zeroes the key it created and rethrows when an asynchronous seal rejects', async () => {
    let created: Uint8Array | undefined;
    const error = failure();
    await expect(
      sealGivenOrNewDataKey({ suite, encryptionContext: {} }, async (dataKey) => {
        created = dataKey;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(created?.length).toBe(suite.keyLength);
    expect(created?.every((b) => b === 0)).toBe(true);
  });

  it('zeroes the key it created and rethrows when a synchronous seal throws', async () => {
    let created: Uint8Array | undefined;
    const error = failure();
    await expect(
      sealGivenOrNewDataKey({ suite, encryptionContext: {} }, (dataKey) => {
        created = dataKey;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(created?.every((b) => b === 0)).toBe(true);
  });

  it("leaves the request's data key untouched when sealing fails: the caller owns it", async () => {
    const given = new Uint8Array(suite.keyLength).fill(5);
    await expect(
      sealGivenOrNewDataKey({ suite, encryptionContext: {}, dataKey: given }, () => {
        throw failure();
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.ProviderFailure });
    expect(given.every((b) => b === 5)).toBe(true);
  });

  it('gives a keyring whose wrap it is a result the keyring contract accepts, as generator or not', async () => {
    const keyring: Keyring = {
      description: 'sealing test keyring',
      wrap: (request) => sealGivenOrNewDataKey(request, edkOf),
      unwrap: async () => null,
    };
    const generated = await wrapDataKey(keyring, { suite, encryptionContext: {} });
    expect(generated.dataKey.length).toBe(suite.keyLength);
    const given = randomBytes(suite.keyLength);
    const wrapped = await wrapDataKey(keyring, { suite, encryptionContext: {}, dataKey: given });
    expect(wrapped.dataKey).toBe(given);
  });
});
