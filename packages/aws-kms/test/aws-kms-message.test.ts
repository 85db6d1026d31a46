import { randomBytes } from 'node:crypto';
import { ErrorCodes, MultiKeyring, Suites, decrypt, encrypt, inspect } from '@polykms/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsKmsDiscoveryKeyring, AwsKmsKeyring } from '../src/index.js';
import { type KmsTarget, startEmulatorTarget } from './aws-targets.js';

describe('whole messages with AWS KMS keyrings (emulator)', () => {
  let target: KmsTarget;
  const ring = (keyId: string) => new AwsKmsKeyring({ keyId, client: target.client() });
  const encryptionContext = { order: '42', region: 'eu' };

  beforeAll(async () => {
    target = await startEmulatorTarget();
  });
  afterAll(() => target.stop());

  it('encrypts and decrypts a message, for both committing suites', async () => {
    const arn = await target.createKey();
    const plaintext = randomBytes(10_000);
    for (const suite of [
      Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
      Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    ]) {
      const { message } = await encrypt(plaintext, { keyring: ring(arn), encryptionContext, suite });
      const info = inspect(message);
      expect(info.encryptedDataKeys.map((e) => [e.providerId, e.providerInfo])).toEqual([['aws-kms', arn]]);
      const decrypted = await decrypt(message, { keyring: ring(arn), encryptionContext });
      expect(Buffer.from(decrypted.plaintext).equals(plaintext)).toBe(true);
    }
  });

  it('wraps for two keys with a MultiKeyring; each key alone decrypts', async () => {
    const [a, b] = [await target.createKey(), await target.createKey('eu-west-1')];
    const bRing = new AwsKmsKeyring({ keyId: b, client: target.client({ region: 'eu-west-1' }) });
    const { message } = await encrypt(Buffer.from('multi'), {
      keyring: new MultiKeyring({ generator: ring(a), children: [bRing] }),
      encryptionContext,
    });
    for (const keyring of [ring(a), bRing]) {
      const { plaintext } = await decrypt(message, { keyring });
      expect(Buffer.from(plaintext).toString()).toBe('multi');
    }
  });

  it('decrypts with a discovery keyring whose filter admits the writer account', async () => {
    const arn = await target.createKey();
    const { message } = await encrypt(Buffer.from('found'), { keyring: ring(arn), encryptionContext });
    const discovery = new AwsKmsDiscoveryKeyring({
      discoveryFilter: { partition: 'aws', accountIds: ['111122223333'] },
      clientProvider: (region) => target.client({ region }),
    });
    expect(Buffer.from((await decrypt(message, { keyring: discovery })).plaintext).toString()).toBe('found');
  });

  it('refuses a message for another key with ERR_NO_DECRYPTABLE_KEY', async () => {
    const [a, b] = [await target.createKey(), await target.createKey()];
    const { message } = await encrypt(Buffer.from('x'), { keyring: ring(a), encryptionContext });
    await expect(decrypt(message, { keyring: ring(b) })).rejects.toMatchObject({
      code: ErrorCodes.NoDecryptableKey,
    });
  });
});
