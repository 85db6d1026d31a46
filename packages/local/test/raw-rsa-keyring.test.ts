import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  type EncryptedDataKey,
  NoDecryptableKeyError,
  Suites,
  decrypt,
  encrypt,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { MIN_RSA_MODULUS_BITS, RSA_PADDINGS, RawRsaKeyring } from '@polykms/local';
import { describe, expect, it } from 'vitest';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPair = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('RawRsaKeyring', () => {
  for (const padding of RSA_PADDINGS) {
    it(`round-trips a message with ${padding} padding`, async () => {
      const keyring = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa', padding, ...pair });
      const plaintext = randomBytes(50);
      const { message } = await encrypt(plaintext, { keyring, encryptionContext: { a: 'b' } });
      const result = await decrypt(message, { keyring });
      expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    });
  }

  it('writes provider id = namespace and provider info = key name', async () => {
    const keyring = new RawRsaKeyring({
      keyNamespace: 'ns',
      keyName: 'rsa',
      padding: 'oaep-sha256',
      ...pair,
    });
    const { encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext: {} });
    expect(encryptedDataKeys[0]?.providerId).toBe('ns');
    expect(Buffer.from(encryptedDataKeys[0]!.providerInfo).toString()).toBe('rsa');
    expect(encryptedDataKeys[0]?.ciphertext.length).toBe(256);
  });

  it('accepts PEM strings and derives the public key from the private key', async () => {
    const privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const keyring = new RawRsaKeyring({
      keyNamespace: 'ns',
      keyName: 'rsa',
      padding: 'oaep-sha1',
      privateKey,
    });
    const { message } = await encrypt(new Uint8Array(3), { keyring });
    await expect(decrypt(message, { keyring })).resolves.toBeDefined();
  });

  it('encrypts without a private key and refuses to decrypt, naming the missing private key', async () => {
    const encryptOnly = new RawRsaKeyring({
      keyNamespace: 'ns',
      keyName: 'rsa',
      padding: 'oaep-sha256',
      publicKey: pair.publicKey,
    });
    expect(encryptOnly.canDecrypt).toBe(false);
    const { message } = await encrypt(new Uint8Array(3), { keyring: encryptOnly });
    await expect(decrypt(message, { keyring: encryptOnly })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('no private key'),
    });
    const full = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa', padding: 'oaep-sha256', ...pair });
    await expect(decrypt(message, { keyring: full })).resolves.toBeDefined();
  });

  it('returns null for EDKs of another name without touching the private key', async () => {
    const keyring = new RawRsaKeyring({
      keyNamespace: 'ns',
      keyName: 'rsa',
      padding: 'oaep-sha256',
      ...pair,
    });
    const { encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext: {} });
    const [edk] = encryptedDataKeys as [EncryptedDataKey];
    const other = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rs', padding: 'oaep-sha256', ...pair });
    const request = { suite, encryptionContext: {}, encryptedDataKeys: [edk, { ...edk, providerId: 'x' }] };
    expect(await unwrapDataKey(other, request)).toBeNull();
  });

  it('fails with a typed error when the same name holds another key (oaep-sha256)', async () => {
    const padding = 'oaep-sha256';
    const writer = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa', padding, ...pair });
    const reader = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa', padding, ...otherPair });
    const { encryptedDataKeys } = await wrapDataKey(writer, { suite, encryptionContext: {} });
    await expect(
      unwrapDataKey(reader, { suite, encryptionContext: {}, encryptedDataKeys }),
    ).rejects.toBeInstanceOf(NoDecryptableKeyError);
  });

  // PKCS#1 v1.5 with implicit rejection turns a wrong key into pseudo-random bytes rather than an
  // error; when they happen to be a data key's length (about 0.4% of EDKs) the keyring cannot tell
  // them from a real key. What must hold is that the message never opens.
  it('never opens a message under another key of the same name (pkcs1)', async () => {
    const padding = 'pkcs1';
    const writer = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa', padding, ...pair });
    const reader = new RawRsaKeyring({ keyNamespace: 'ns', keyName: 'rsa', padding, ...otherPair });
    const { message } = await encrypt(randomBytes(10), { keyring: writer });
    const error = await decrypt(message, { keyring: reader }).then(
      () => undefined,
      (e: unknown) => e as { code: string },
    );
    expect(['ERR_NO_DECRYPTABLE_KEY', 'ERR_DECRYPTION_FAILED']).toContain(error?.code);
  });

  it('refuses mismatched keys, non-RSA keys, bad PEM (without echoing it) and unknown paddings', () => {
    const base = { keyNamespace: 'ns', keyName: 'rsa', padding: 'oaep-sha256' } as const;
    expect(
      () => new RawRsaKeyring({ ...base, privateKey: pair.privateKey, publicKey: otherPair.publicKey }),
    ).toThrow(/not one key pair/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => new RawRsaKeyring({ ...base, privateKey: ec.privateKey })).toThrow(/must be RSA/);
    const bogus = '-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----\n';
    const error = (() => {
      try {
        new RawRsaKeyring({ ...base, privateKey: bogus });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/not a valid PEM-encoded RSA private key/);
    expect(error?.message).not.toContain('U0VDUkVU');
    expect(() => new RawRsaKeyring({ ...base, padding: 'oaep-md5' as never, ...pair })).toThrow(
      /padding must be/,
    );
    expect(() => new RawRsaKeyring({ ...base })).toThrow(/publicKey/);
  });

  it('refuses public and private keys with a modulus below 2048 bits, as KeyObject or PEM', () => {
    expect(MIN_RSA_MODULUS_BITS).toBe(2048);
    const base = { keyNamespace: 'ns', keyName: 'rsa', padding: 'oaep-sha256' } as const;
    for (const modulusLength of [512, 1024]) {
      const weak = generateKeyPairSync('rsa', { modulusLength });
      const publicPem = weak.publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const privatePem = weak.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      for (const options of [
        { publicKey: weak.publicKey },
        { publicKey: publicPem },
        { privateKey: weak.privateKey },
        { privateKey: privatePem },
        { ...weak },
      ]) {
        const error = (() => {
          try {
            new RawRsaKeyring({ ...base, ...options });
          } catch (e) {
            return e as Error & { code: string };
          }
        })();
        expect(error?.code).toBe('ERR_INVALID_ARGUMENT');
        expect(error?.message).toContain(`${modulusLength}-bit modulus`);
        expect(error?.message).toContain('at least 2048 bits');
      }
    }
  });

  it('accepts a key of exactly 2048 bits', () => {
    expect(pair.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const keyring = new RawRsaKeyring({
      keyNamespace: 'ns',
      keyName: 'rsa',
      padding: 'oaep-sha256',
      ...pair,
    });
    expect(keyring.canDecrypt).toBe(true);
  });
});
