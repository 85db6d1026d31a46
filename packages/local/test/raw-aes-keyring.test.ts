import { createCipheriv, randomBytes } from 'node:crypto';
import {
  type EncryptedDataKey,
  NoDecryptableKeyError,
  type PolykmsError,
  Suites,
  decrypt,
  encrypt,
  serializeEncryptionContext,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { RawAesKeyring, serializeContextInLocaleOrder } from '@polykms/local';
import { describe, expect, it } from 'vitest';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const context = { purpose: 'test', B: 'upper', a: 'lower', ключ: 'значение' };

function keyring(wrappingKey: Uint8Array = new Uint8Array(32).fill(7), keyName = 'key') {
  return new RawAesKeyring({ keyNamespace: 'ns', keyName, wrappingKey });
}

describe('RawAesKeyring', () => {
  it('round-trips a context whose strings start with a byte-order mark (bound to the EDK as written)', async () => {
    const ring = keyring();
    const withBom = { '\uFEFFkey': '\uFEFFvalue' };
    const { message } = await encrypt(Buffer.from('x'), { keyring: ring, encryptionContext: withBom });
    expect((await decrypt(message, { keyring: ring })).encryptionContext).toEqual(withBom);
  });

  for (const bytes of [16, 24, 32]) {
    it(`round-trips a message with a ${bytes * 8}-bit wrapping key`, async () => {
      const ring = keyring(randomBytes(bytes));
      const plaintext = randomBytes(100);
      const { message } = await encrypt(plaintext, { keyring: ring, encryptionContext: context });
      const result = await decrypt(message, { keyring: ring });
      expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    });
  }

  it('writes the ESDK EDK layout: namespace, name ‖ 128 ‖ 12 ‖ IV, sealed key ‖ tag', async () => {
    const { encryptedDataKeys } = await wrapDataKey(keyring(), { suite, encryptionContext: context });
    const [edk] = encryptedDataKeys;
    expect(edk?.providerId).toBe('ns');
    const info = Buffer.from(edk!.providerInfo);
    expect(info.length).toBe(3 + 4 + 4 + 12);
    expect(info.subarray(0, 3).toString()).toBe('key');
    expect(info.readUInt32BE(3)).toBe(128);
    expect(info.readUInt32BE(7)).toBe(12);
    expect(edk?.ciphertext.length).toBe(32 + 16);
  });

  it('serializes the context once per message, not once per EDK (32 damaged EDKs, a large context)', async () => {
    const ring = keyring();
    const large = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'v'.repeat(20)]));
    const wrapped = await wrapDataKey(ring, { suite, encryptionContext: large });
    const [edk] = wrapped.encryptedDataKeys as [EncryptedDataKey];
    const damaged = { ...edk, ciphertext: Buffer.from(edk.ciphertext).fill(0) };
    // Serializing reads the context's own keys: a proxy counts how often that happens.
    let reads = 0;
    const counted = new Proxy(large, {
      ownKeys(target) {
        reads++;
        return Reflect.ownKeys(target);
      },
    });
    const attempt = unwrapDataKey(ring, {
      suite,
      encryptionContext: counted,
      encryptedDataKeys: Array.from({ length: 32 }, () => ({ ...damaged })),
    });
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_NO_DECRYPTABLE_KEY' });
    // Once in the order the ESDKs write, once in the legacy order (see RawAesKeyring#open).
    expect(reads).toBe(2);
  });

  it('binds the whole encryption context: another context does not open the EDK', async () => {
    const ring = keyring();
    const wrapped = await wrapDataKey(ring, { suite, encryptionContext: context });
    const attempt = unwrapDataKey(ring, {
      suite,
      encryptionContext: { ...context, purpose: 'other' },
      encryptedDataKeys: wrapped.encryptedDataKeys,
    });
    await expect(attempt).rejects.toBeInstanceOf(NoDecryptableKeyError);
    await expect(attempt).rejects.toMatchObject({ failures: [{ error: { code: 'ERR_DECRYPTION_FAILED' } }] });
  });

  it('returns null for EDKs of another namespace, another name or a name it prefixes', async () => {
    const wrapped = await wrapDataKey(keyring(undefined, 'key2'), { suite, encryptionContext: {} });
    const [edk] = wrapped.encryptedDataKeys as [EncryptedDataKey];
    const foreign: EncryptedDataKey[] = [edk, { ...edk, providerId: 'other' }];
    const result = await unwrapDataKey(keyring(undefined, 'key'), {
      suite,
      encryptionContext: {},
      encryptedDataKeys: foreign,
    });
    expect(result).toBeNull();
  });

  it('skips EDKs whose provider info declares another tag or IV length', async () => {
    const ring = keyring();
    const wrapped = await wrapDataKey(ring, { suite, encryptionContext: {} });
    const [edk] = wrapped.encryptedDataKeys as [EncryptedDataKey];
    const info = Buffer.from(edk.providerInfo);
    info.writeUInt32BE(96, 3);
    const result = await unwrapDataKey(ring, {
      suite,
      encryptionContext: {},
      encryptedDataKeys: [{ ...edk, providerInfo: info }],
    });
    expect(result).toBeNull();
  });

  for (const [change, alter] of [
    ['ciphertext one byte short', (e: EncryptedDataKey) => ({ ...e, ciphertext: e.ciphertext.slice(0, -1) })],
    [
      'ciphertext one byte long',
      (e: EncryptedDataKey) => ({ ...e, ciphertext: Uint8Array.of(...e.ciphertext, 0) }),
    ],
    [
      'IV one byte long',
      (e: EncryptedDataKey) => ({ ...e, providerInfo: Uint8Array.of(...e.providerInfo, 0) }),
    ],
  ] as const) {
    it(`fails its own EDK with ERR_MALFORMED_MESSAGE, not null, when the ${change}`, async () => {
      const ring = keyring();
      const wrapped = await wrapDataKey(ring, { suite, encryptionContext: {} });
      const [edk] = wrapped.encryptedDataKeys as [EncryptedDataKey];
      const attempt = unwrapDataKey(ring, { suite, encryptionContext: {}, encryptedDataKeys: [alter(edk)] });
      await expect(attempt).rejects.toBeInstanceOf(NoDecryptableKeyError);
      await expect(attempt).rejects.toMatchObject({
        failures: [{ recipient: 'raw-aes ns/key', error: { code: 'ERR_MALFORMED_MESSAGE', provider: 'ns' } }],
      });
    });
  }

  it('still opens its intact EDK after a malformed one of its own', async () => {
    const ring = keyring();
    const wrapped = await wrapDataKey(ring, { suite, encryptionContext: {} });
    const [edk] = wrapped.encryptedDataKeys as [EncryptedDataKey];
    const result = await unwrapDataKey(ring, {
      suite,
      encryptionContext: {},
      encryptedDataKeys: [{ ...edk, ciphertext: edk.ciphertext.slice(0, -1) }, edk],
    });
    expect(Buffer.from(result!.dataKey).equals(Buffer.from(wrapped.dataKey!))).toBe(true);
  });

  it('fails with a typed error and no key material when the same name holds another key', async () => {
    const wrapped = await wrapDataKey(keyring(new Uint8Array(32).fill(1)), { suite, encryptionContext: {} });
    const wrongKey = new Uint8Array(32).fill(2);
    const error = await unwrapDataKey(keyring(wrongKey), {
      suite,
      encryptionContext: {},
      encryptedDataKeys: wrapped.encryptedDataKeys,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoDecryptableKeyError);
    expect((error as PolykmsError).message).not.toContain(Buffer.from(wrongKey).toString('base64'));
    expect((error as PolykmsError).message).toContain('raw-aes ns/key');
  });

  it('opens EDKs bound to the context in localeCompare order (JS RawAesKeyringNode without utf8Sorting)', async () => {
    const wrappingKey = randomBytes(32);
    const legacyAad = serializeContextInLocaleOrder(context);
    expect(legacyAad.equals(serializeEncryptionContext(context))).toBe(false);
    const dataKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv).setAAD(legacyAad);
    const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    const info = Buffer.concat([Buffer.from('key'), Buffer.from([0, 0, 0, 128, 0, 0, 0, 12]), iv]);
    const edk: EncryptedDataKey = { providerId: 'ns', providerInfo: info, ciphertext };
    const result = await unwrapDataKey(keyring(wrappingKey), {
      suite,
      encryptionContext: context,
      encryptedDataKeys: [edk],
    });
    expect(Buffer.from(result!.dataKey).equals(dataKey)).toBe(true);
  });

  it('orders a legacy context as localeCompare does (a before B), not by bytes', () => {
    const legacy = serializeContextInLocaleOrder({ B: '1', a: '2' });
    expect([...legacy]).toEqual([0, 2, 0, 1, 0x61, 0, 1, 0x32, 0, 1, 0x42, 0, 1, 0x31]);
    expect(serializeContextInLocaleOrder({}).length).toBe(0);
  });

  it('refuses a namespace reserved for AWS KMS, an empty name and a wrong key length', () => {
    const key = new Uint8Array(32);
    expect(() => new RawAesKeyring({ keyNamespace: 'aws-kms', keyName: 'k', wrappingKey: key })).toThrow(
      /reserved for AWS KMS/,
    );
    for (const cloud of ['gcp-kms', 'azure-kv']) {
      expect(() => new RawAesKeyring({ keyNamespace: cloud, keyName: 'k', wrappingKey: key })).toThrow(
        /reserved: it is the provider id of the/,
      );
    }
    expect(
      () => new RawAesKeyring({ keyNamespace: 'gcp-kms-archive', keyName: 'k', wrappingKey: key }),
    ).not.toThrow();
    expect(() => new RawAesKeyring({ keyNamespace: 'ns', keyName: '', wrappingKey: key })).toThrow(
      /keyName must be a non-empty string/,
    );
    expect(
      () => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: new Uint8Array(20) }),
    ).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/20 bytes/) }),
    );
  });

  it('keeps its own copy of the wrapping key', async () => {
    const wrappingKey = randomBytes(32);
    const ring = keyring(wrappingKey);
    const { message } = await encrypt(new Uint8Array(5), { keyring: ring });
    wrappingKey.fill(0);
    await expect(decrypt(message, { keyring: ring })).resolves.toBeDefined();
  });
});
