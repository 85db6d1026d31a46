import { constants, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  type KeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  RawRsaKeyringNode,
  buildClient,
} from '@aws-crypto/client-node';
import { type AlgorithmSuite, type Keyring, Suites, decrypt, encrypt, inspect } from '@polykms/envelope';
import { RSA_PADDINGS, RawAesKeyring, RawRsaKeyring, type RsaPadding } from '@polykms/local';
import { describe, expect, it } from 'vitest';

/**
 * Both directions with the AWS Encryption SDK for JavaScript: what it writes, we read, and what
 * we write, it reads, with the same raw AES / raw RSA keys on both sides.
 */
const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

const frameLength = 64;
const sizes = [0, 1, frameLength - 1, frameLength, frameLength + 1, frameLength * 3 + 7];
const suites: readonly [AlgorithmSuite, AlgorithmSuiteIdentifier][] = [
  [
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  ],
  [
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  ],
];
/** Keys whose UTF-8 byte order differs from localeCompare order and from UTF-16 order. */
const context = {
  purpose: 'interop',
  a: 'lower',
  B: 'upper',
  Mixed: 'Case',
  ключ: 'значение',
  ｆｕｌｌ: 'width',
  '😀': 'astral',
};

const aesKey = randomBytes(32);
const identity = { keyNamespace: 'polykms-interop', keyName: 'aes-256' };
const ourAes = new RawAesKeyring({ ...identity, wrappingKey: aesKey });
function theirAes(utf8Sorting: boolean): KeyringNode {
  return new RawAesKeyringNode({
    ...identity,
    // The ESDK wants a buffer that owns its whole ArrayBuffer (Buffer.from may share the pool).
    unencryptedMasterKey: Uint8Array.from(aesKey),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    utf8Sorting,
  });
}

const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaIdentity = { keyNamespace: 'polykms-interop', keyName: 'rsa-2048' };
function ourRsa(padding: RsaPadding): Keyring {
  return new RawRsaKeyring({ ...rsaIdentity, padding, ...rsaPair });
}
function theirRsa(padding: RsaPadding): KeyringNode {
  const pem = {
    privateKey: rsaPair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: rsaPair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
  return padding === 'pkcs1'
    ? new RawRsaKeyringNode({ ...rsaIdentity, rsaKey: pem, padding: constants.RSA_PKCS1_PADDING })
    : new RawRsaKeyringNode({
        ...rsaIdentity,
        rsaKey: pem,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: padding.slice('oaep-'.length) as 'sha1' | 'sha256' | 'sha384' | 'sha512',
      });
}

async function theirsToOurs(
  their: KeyringNode,
  our: Keyring,
  suiteId: AlgorithmSuiteIdentifier,
  plaintext: Buffer,
): Promise<void> {
  const { result } = await esdk.encrypt(their, plaintext, {
    encryptionContext: context,
    suiteId,
    frameLength,
  });
  const opened = await decrypt(result, { keyring: our });
  expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  expect(opened.encryptionContext).toMatchObject(context);
}

async function oursToTheirs(
  our: Keyring,
  their: KeyringNode,
  suite: AlgorithmSuite,
  plaintext: Buffer,
): Promise<void> {
  const { message } = await encrypt(plaintext, {
    keyring: our,
    suite,
    frameLength,
    encryptionContext: context,
  });
  const opened = await esdk.decrypt(their, message);
  expect(opened.plaintext.equals(plaintext)).toBe(true);
  expect(opened.messageHeader.encryptionContext).toMatchObject(context);
}

describe('interop with @aws-crypto/client-node 5.0.2', () => {
  for (const [suite, suiteId] of suites) {
    for (const size of sizes) {
      const label = `${size} bytes, ${suite.name}`;
      it(`decrypts an ESDK raw AES message (utf8Sorting) of ${label}`, async () => {
        await theirsToOurs(theirAes(true), ourAes, suiteId, randomBytes(size));
      });
      it(`decrypts an ESDK raw AES message bound in localeCompare order (no utf8Sorting) of ${label}`, async () => {
        await theirsToOurs(theirAes(false), ourAes, suiteId, randomBytes(size));
      });
      it(`decrypts an ESDK raw RSA (OAEP-SHA256) message of ${label}`, async () => {
        await theirsToOurs(theirRsa('oaep-sha256'), ourRsa('oaep-sha256'), suiteId, randomBytes(size));
      });
      it(`writes a raw AES message of ${label} that the ESDK decrypts`, async () => {
        await oursToTheirs(ourAes, theirAes(true), suite, randomBytes(size));
      });
      it(`writes a raw RSA (OAEP-SHA256) message of ${label} that the ESDK decrypts`, async () => {
        await oursToTheirs(ourRsa('oaep-sha256'), theirRsa('oaep-sha256'), suite, randomBytes(size));
      });
    }
  }

  for (const padding of RSA_PADDINGS) {
    it(`exchanges raw RSA ${padding} EDKs in both directions`, async () => {
      const [suite, suiteId] = suites[0]!;
      await theirsToOurs(theirRsa(padding), ourRsa(padding), suiteId, randomBytes(100));
      await oursToTheirs(ourRsa(padding), theirRsa(padding), suite, randomBytes(100));
    });
  }

  it('frames exactly as the ESDK does: same header facts and body size for the same plaintext', async () => {
    const plaintext = randomBytes(frameLength * 2);
    const [suite, suiteId] = suites[0]!;
    const theirs = await esdk.encrypt(theirAes(true), plaintext, {
      encryptionContext: context,
      suiteId,
      frameLength,
    });
    const ours = await encrypt(plaintext, {
      keyring: ourAes,
      suite,
      frameLength,
      encryptionContext: context,
    });
    const [a, b] = [inspect(theirs.result), inspect(ours.message)];
    expect(b).toMatchObject({ version: a.version, suiteId: a.suiteId, frameLength: a.frameLength });
    expect(b.headerLength).toBe(a.headerLength);
    expect(b.encryptionContext).toEqual(a.encryptionContext);
  });

  it('opens the ESDK raw AES keyring EDK (no utf8Sorting) for the context { a, B } through the localeCompare retry', async () => {
    const keys = { a: 'lower', B: 'upper' };
    const { result } = await esdk.encrypt(theirAes(false), Buffer.from('aB'), { encryptionContext: keys });
    const opened = await decrypt(result, { keyring: ourAes, encryptionContext: keys });
    expect(Buffer.from(opened.plaintext).toString()).toBe('aB');
  });

  it('our raw AES EDKs do not open in the ESDK raw AES keyring without utf8Sorting when the orders differ', async () => {
    // The hazard FORMAT.md describes: JS readers of our messages must set utf8Sorting: true.
    const { message } = await encrypt(randomBytes(10), {
      keyring: ourAes,
      encryptionContext: { a: '1', B: '2' },
    });
    await expect(esdk.decrypt(theirAes(false), message)).rejects.toThrow();
    await expect(esdk.decrypt(theirAes(true), message)).resolves.toBeDefined();
  });

  it('a multi-recipient message of ours opens with either ESDK keyring alone', async () => {
    const { MultiKeyring } = await import('@polykms/envelope');
    const keyring = new MultiKeyring({ generator: ourAes, children: [ourRsa('oaep-sha256')] });
    const plaintext = randomBytes(200);
    const { message } = await encrypt(plaintext, { keyring, frameLength, encryptionContext: context });
    expect((await esdk.decrypt(theirAes(true), message)).plaintext.equals(plaintext)).toBe(true);
    expect((await esdk.decrypt(theirRsa('oaep-sha256'), message)).plaintext.equals(plaintext)).toBe(true);
  });
});
