import { randomBytes } from 'node:crypto';
import {
  MultiKeyring,
  type PolykmsError,
  decrypt,
  encrypt,
  inspect,
  type NoDecryptableKeyError,
} from '@polykms/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureKeyVaultDiscoveryKeyring, AzureKeyVaultKeyring } from '../src/index.js';
import { type Vault, startVault } from './fixture.js';

let vault: Vault;
let rsaKeyId: string;
let octKeyId: string;

beforeAll(async () => {
  vault = await startVault();
  await vault.admin.createRsaKey('message-rsa', { keySize: 3072 });
  await vault.admin.createOctKey('message-oct', { hsm: true });
  rsaKeyId = `${vault.endpoint.vaultUrl}/keys/message-rsa`;
  octKeyId = `${vault.endpoint.vaultUrl}/keys/message-oct`;
});
afterAll(() => vault.stop());

function keyring(keyId: string, maxRetries?: number) {
  return new AzureKeyVaultKeyring({
    keyId,
    credential: vault.endpoint.credential,
    clientOptions: vault.clientOptions(maxRetries),
  });
}

async function failure(promise: Promise<unknown>): Promise<PolykmsError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as PolykmsError,
  );
}

describe('whole messages with Azure Key Vault keyrings', () => {
  const plaintext = randomBytes(10_000);
  const encryptionContext = { tenant: 'acme', purpose: 'backup' };

  it('encrypts and decrypts a message whose data key an RSA key wraps', async () => {
    const { message } = await encrypt(plaintext, { keyring: keyring(rsaKeyId), encryptionContext });
    const info = inspect(message);
    expect(info.encryptedDataKeys.map((e) => e.providerId)).toEqual(['azure-kv']);
    const result = await decrypt(message, { keyring: keyring(rsaKeyId), encryptionContext });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    expect(result.encryptionContext).toMatchObject(encryptionContext);
  });

  it('wraps for an RSA and an oct-HSM key at once, and either alone decrypts', async () => {
    const both = new MultiKeyring({ generator: keyring(rsaKeyId), children: [keyring(octKeyId)] });
    const { message } = await encrypt(plaintext, { keyring: both, encryptionContext });
    expect(inspect(message).encryptedDataKeys).toHaveLength(2);
    for (const alone of [keyring(rsaKeyId), keyring(octKeyId)]) {
      const result = await decrypt(message, { keyring: alone, encryptionContext });
      expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    }
  });

  it('decrypts with a discovery keyring limited to the vault host', async () => {
    const { message } = await encrypt(plaintext, { keyring: keyring(octKeyId), encryptionContext });
    const discovery = new AzureKeyVaultDiscoveryKeyring({
      discoveryFilter: { vaultHosts: [new URL(vault.endpoint.vaultUrl).host] },
      credential: vault.endpoint.credential,
      clientOptions: vault.clientOptions(0),
    });
    const result = await decrypt(message, { keyring: discovery });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
  });

  it('refuses to decrypt under a different encryption context', async () => {
    const { message } = await encrypt(plaintext, { keyring: keyring(rsaKeyId), encryptionContext });
    const error = await failure(
      decrypt(message, {
        keyring: keyring(rsaKeyId),
        encryptionContext: { ...encryptionContext, tenant: 'other' },
      }),
    );
    expect(error.code).toBe('ERR_CONTEXT_MISMATCH');
  });

  it('lets an encrypt-only identity write messages it cannot read back', async () => {
    vault.control.deny({ cloud: 'azure', operation: 'unwrapKey', keyId: 'message-rsa' });
    try {
      const writer = keyring(rsaKeyId, 0);
      const { message } = await encrypt(plaintext, { keyring: writer, encryptionContext });
      const error = await failure(decrypt(message, { keyring: writer, encryptionContext }));
      expect(error.code).toBe('ERR_NO_DECRYPTABLE_KEY');
      const [first] = (error as NoDecryptableKeyError).failures;
      expect(first?.error.code).toBe('ERR_ACCESS_DENIED');
      expect(first?.error.message).toContain("'unwrapKey'");
    } finally {
      vault.control.allow({ cloud: 'azure' });
    }
  });

  it('still decrypts messages written before the key was rotated', async () => {
    const k = keyring(rsaKeyId);
    const { message: before } = await encrypt(plaintext, { keyring: k, encryptionContext });
    await vault.admin.rotateKey('message-rsa');
    const { message: after } = await encrypt(plaintext, { keyring: k, encryptionContext });
    for (const message of [before, after]) {
      const result = await decrypt(message, { keyring: k, encryptionContext });
      expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    }
  });
});
