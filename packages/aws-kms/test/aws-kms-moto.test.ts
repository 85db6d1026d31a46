import type { EncryptedDataKey } from '@polykms/envelope';
import { MultiKeyring, Suites, decrypt, encrypt, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsKmsKeyring } from '../src/index.js';
import { type KmsTarget, motoOnPath, startEmulatorTarget, startMotoTarget } from './aws-targets.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { app: 'billing' };

// The round-trip subset, against our emulator and against moto as an independent KMS.
const targets = [
  { name: 'emulator', start: startEmulatorTarget, skip: false },
  {
    name: `moto${motoOnPath ? '' : ' (skipped: moto_server is not on PATH)'}`,
    start: startMotoTarget,
    skip: !motoOnPath,
  },
] as const;

describe.each(targets)('AwsKmsKeyring round trips against $name', ({ start, skip }) => {
  let target: KmsTarget;
  beforeAll(async () => {
    if (!skip) target = await start();
  });
  afterAll(async () => {
    await target?.stop();
  });
  const ring = (keyId: string) => new AwsKmsKeyring({ keyId, client: target.client() });

  it.skipIf(skip)('generates, wraps with Encrypt, and unwraps', async () => {
    const [a, b] = [await target.createKey(), await target.createKey()];
    const generated = await wrapDataKey(ring(a), { suite, encryptionContext });
    const wrapped = await wrapDataKey(ring(b), { suite, encryptionContext, dataKey: generated.dataKey });
    const edks: EncryptedDataKey[] = [...generated.encryptedDataKeys, ...wrapped.encryptedDataKeys];
    for (const arn of [a, b]) {
      const opened = await unwrapDataKey(ring(arn), { suite, encryptionContext, encryptedDataKeys: edks });
      expect(opened?.dataKey).toEqual(generated.dataKey);
      expect(new TextDecoder().decode(opened?.encryptedDataKey.providerInfo)).toBe(arn);
    }
  });

  it.skipIf(skip)('skips EDKs of another key and fails on a changed context', async () => {
    const [a, b] = [await target.createKey(), await target.createKey()];
    const { encryptedDataKeys } = await wrapDataKey(ring(a), { suite, encryptionContext });
    expect(await unwrapDataKey(ring(b), { suite, encryptionContext, encryptedDataKeys })).toBeNull();
    await expect(
      unwrapDataKey(ring(a), { suite, encryptionContext: { app: 'other' }, encryptedDataKeys }),
    ).rejects.toMatchObject({ code: 'ERR_NO_DECRYPTABLE_KEY' });
  });

  it.skipIf(skip)('opens EDKs made before a rotation', async () => {
    const arn = await target.createKey();
    const { dataKey, encryptedDataKeys } = await wrapDataKey(ring(arn), { suite, encryptionContext });
    await target.client().send(new RotateKeyOnDemandCommand({ KeyId: arn }));
    const opened = await unwrapDataKey(ring(arn), { suite, encryptionContext, encryptedDataKeys });
    expect(opened?.dataKey).toEqual(dataKey);
  });

  it.skipIf(skip)('encrypts a whole message for two keys; each alone decrypts it', async () => {
    const [a, b] = [await target.createKey(), await target.createKey()];
    const plaintext = Buffer.from('a message for two keys');
    const { message } = await encrypt(plaintext, {
      keyring: new MultiKeyring({ generator: ring(a), children: [ring(b)] }),
      encryptionContext,
    });
    for (const arn of [a, b]) {
      const decrypted = await decrypt(message, { keyring: ring(arn), encryptionContext });
      expect(Buffer.from(decrypted.plaintext).equals(plaintext)).toBe(true);
    }
  });
});
