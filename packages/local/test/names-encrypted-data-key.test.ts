import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type EncryptedDataKey, Suites, wrapDataKey } from '@polykms/envelope';
import { RawAesKeyring, RawRsaKeyring } from '@polykms/local';
import { describe, expect, it } from 'vitest';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const aes = (keyName: string, keyNamespace = 'ns') =>
  new RawAesKeyring({ keyNamespace, keyName, wrappingKey: randomBytes(32) });
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa = (keyName: string) =>
  new RawRsaKeyring({ keyNamespace: 'ns', keyName, padding: 'oaep-sha256', ...pair });
const edkOf = async (keyring: RawAesKeyring | RawRsaKeyring): Promise<EncryptedDataKey> =>
  (await wrapDataKey(keyring, { suite, encryptionContext: {} })).encryptedDataKeys[0] as EncryptedDataKey;

// What tools (the CLI's rewrap and migrate) use to find a local key's recipient in a header: the
// keyring's own rule, so that they and `unwrap` never disagree on which EDK is whose.
describe('namesEncryptedDataKey', () => {
  it('names its own AES EDK, and not one of another namespace or of a longer name it prefixes', async () => {
    const app = aes('app');
    expect(app.namesEncryptedDataKey(await edkOf(app))).toBe(true);
    expect(app.namesEncryptedDataKey(await edkOf(aes('app', 'other')))).toBe(false);
    expect(app.namesEncryptedDataKey(await edkOf(aes('app2')))).toBe(false);
  });

  it('does not take for an AES EDK of its name provider info whose tag and IV fields are not AES-GCM 128/12', async () => {
    const app = aes('app');
    const edk = await edkOf(app);
    const info = Buffer.from(edk.providerInfo);
    info.writeUInt32BE(96, 3);
    expect(app.namesEncryptedDataKey({ ...edk, providerInfo: info })).toBe(false);
  });

  it('names an RSA EDK by exactly its name, not an AES-shaped one of the same name', async () => {
    const key = rsa('shared');
    expect(key.namesEncryptedDataKey(await edkOf(key))).toBe(true);
    expect(key.namesEncryptedDataKey(await edkOf(aes('shared')))).toBe(false);
  });
});
