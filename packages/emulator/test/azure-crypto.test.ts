import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import type { KeyVaultKey } from '@azure/keyvault-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureFixture, restError, startAzure } from './azure-fixture.js';

let azure: AzureFixture;
let rsa: KeyVaultKey;
let oct: KeyVaultKey;

beforeAll(async () => {
  azure = await startAzure();
  rsa = await azure.keyClient.createRsaKey('crypto-rsa', { keySize: 2048 });
  oct = await azure.keyClient.createOctKey('crypto-oct', { hsm: true, keySize: 256 });
});
afterAll(() => azure.stop());

function calls(operation: string, key = 'crypto-rsa'): number {
  return azure.control.calls({ cloud: 'azure', operation, keyId: key }).total;
}

describe('Azure front end: key operations through CryptographyClient', () => {
  it('serves a public JWK whose n and e encrypt what the vault then decrypts', async () => {
    const publicKey = createPublicKey({
      key: {
        kty: 'RSA',
        n: Buffer.from(rsa.key!.n!).toString('base64url'),
        e: Buffer.from(rsa.key!.e!).toString('base64url'),
      },
      format: 'jwk',
    });
    const secret = randomBytes(32);
    const ciphertext = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      secret,
    );
    const result = await azure.cryptoClient(rsa.id!).unwrapKey('RSA-OAEP-256', ciphertext);
    expect(Buffer.from(result.result).equals(secret)).toBe(true);
  });

  it('wraps with RSA-OAEP locally (the vault never sees it) and unwraps remotely', async () => {
    const wrapsBefore = calls('wrapKey');
    const unwrapsBefore = calls('unwrapKey');
    const client = azure.cryptoClient(rsa.id!);
    const secret = randomBytes(32);
    const wrapped = await client.wrapKey('RSA-OAEP', secret);
    expect(calls('wrapKey')).toBe(wrapsBefore);
    const unwrapped = await client.unwrapKey('RSA-OAEP', wrapped.result);
    expect(Buffer.from(unwrapped.result).equals(secret)).toBe(true);
    expect(calls('unwrapKey')).toBe(unwrapsBefore + 1);
  });

  it('encrypts with RSA1_5 locally and decrypts remotely', async () => {
    const client = azure.cryptoClient(rsa.id!);
    const encrypted = await client.encrypt({ algorithm: 'RSA1_5', plaintext: Buffer.from('hello') });
    const decrypted = await client.decrypt({ algorithm: 'RSA1_5', ciphertext: encrypted.result });
    expect(Buffer.from(decrypted.result).toString()).toBe('hello');
  });

  it('wraps and encrypts with RSA-OAEP-256 on the vault, answering with the versioned kid', async () => {
    const wrapsBefore = calls('wrapKey');
    const client = azure.cryptoClient(rsa.id!);
    const secret = randomBytes(32);
    let answeredKid: unknown;
    const wrapped = await client.wrapKey('RSA-OAEP-256', secret, {
      onResponse: (response) => {
        answeredKid = (response.parsedBody as { kid?: string } | undefined)?.kid;
      },
    });
    expect(calls('wrapKey')).toBe(wrapsBefore + 1);
    expect(answeredKid).toBe(rsa.id);
    expect(wrapped.result.length).toBe(256);
    expect(Buffer.from((await client.unwrapKey('RSA-OAEP-256', wrapped.result)).result).equals(secret)).toBe(
      true,
    );

    const encrypted = await client.encrypt({ algorithm: 'RSA-OAEP-256', plaintext: Buffer.from('text') });
    const decrypted = await client.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: encrypted.result });
    expect(Buffer.from(decrypted.result).toString()).toBe('text');
  });

  it('wraps with the current version when the key id names no version', async () => {
    const key = await azure.keyClient.createRsaKey('crypto-latest');
    const rotated = await azure.keyClient.rotateKey('crypto-latest');
    const versionless = `${azure.endpoint.vaultUrl}/keys/crypto-latest`;
    let answeredKid: unknown;
    await azure.cryptoClient(versionless).wrapKey('RSA-OAEP-256', randomBytes(32), {
      onResponse: (response) => {
        answeredKid = (response.parsedBody as { kid?: string } | undefined)?.kid;
      },
    });
    expect(answeredKid).toBe(rotated.id);
    expect(answeredKid).not.toBe(key.id);
  });

  it('still unwraps with an old version after a rotation', async () => {
    const key = await azure.keyClient.createRsaKey('crypto-rotated');
    const secret = randomBytes(32);
    const wrapped = await azure.cryptoClient(key.id!).wrapKey('RSA-OAEP-256', secret);
    await azure.keyClient.rotateKey('crypto-rotated');
    const unwrapped = await azure.cryptoClient(key.id!).unwrapKey('RSA-OAEP-256', wrapped.result);
    expect(Buffer.from(unwrapped.result).equals(secret)).toBe(true);
  });

  it('wraps and unwraps with A256KW (RFC 3394) on an oct-HSM key', async () => {
    const client = azure.cryptoClient(oct.id!);
    const secret = randomBytes(32);
    const wrapped = await client.wrapKey('A256KW', secret);
    expect(wrapped.result.length).toBe(40);
    expect(calls('wrapKey', 'crypto-oct')).toBe(1);
    const unwrapped = await client.unwrapKey('A256KW', wrapped.result);
    expect(Buffer.from(unwrapped.result).equals(secret)).toBe(true);
  });

  it('answers a tampered RSA-OAEP-256 ciphertext with 400 BadParameter, not a retryable 5xx', async () => {
    const client = azure.cryptoClient(rsa.id!, { maxRetries: 0 });
    const wrapped = Buffer.from((await client.wrapKey('RSA-OAEP-256', randomBytes(32))).result);
    wrapped[17] = (wrapped[17] ?? 0) ^ 1;
    const error = await restError(client.unwrapKey('RSA-OAEP-256', wrapped));
    expect([error.statusCode, error.code]).toEqual([400, 'BadParameter']);
    expect(error.message).toBe('Error occurred while decoding OAEP padding.');
  });

  it('answers a tampered A256KW ciphertext and a wrong-length RSA ciphertext with 400 BadParameter', async () => {
    const octClient = azure.cryptoClient(oct.id!, { maxRetries: 0 });
    const wrapped = Buffer.from((await octClient.wrapKey('A256KW', randomBytes(32))).result);
    wrapped[0] = (wrapped[0] ?? 0) ^ 1;
    expect((await restError(octClient.unwrapKey('A256KW', wrapped))).statusCode).toBe(400);
    const rsaClient = azure.cryptoClient(rsa.id!, { maxRetries: 0 });
    expect((await restError(rsaClient.unwrapKey('RSA-OAEP-256', randomBytes(255)))).statusCode).toBe(400);
  });

  it('rejects an algorithm that does not fit the key type with 400 BadParameter', async () => {
    const rsaClient = azure.cryptoClient(rsa.id!, { maxRetries: 0 });
    expect((await restError(rsaClient.wrapKey('A256KW', randomBytes(32)))).code).toBe('BadParameter');
    const octClient = azure.cryptoClient(oct.id!, { maxRetries: 0 });
    expect((await restError(octClient.unwrapKey('RSA-OAEP-256', randomBytes(40)))).code).toBe('BadParameter');
    expect((await restError(octClient.wrapKey('A128KW', randomBytes(32)))).code).toBe('BadParameter');
  });

  it('refuses key operations on a disabled version with 403 Forbidden / KeyDisabled', async () => {
    const key = await azure.keyClient.createRsaKey('crypto-disabled');
    const wrapped = await azure.cryptoClient(key.id!).wrapKey('RSA-OAEP-256', randomBytes(32));
    await azure.keyClient.updateKeyProperties('crypto-disabled', key.properties.version!, { enabled: false });
    const error = await restError(
      azure.cryptoClient(key.id!, { maxRetries: 0 }).unwrapKey('RSA-OAEP-256', wrapped.result),
    );
    expect([error.statusCode, error.code]).toEqual([403, 'Forbidden']);
    expect(error.details?.error?.innerError?.code).toBe('KeyDisabled');
    expect(error.message).toBe('Operation unwrapKey is not allowed on a disabled key.');
  });

  it('answers 404 KeyNotFound for operations on a missing key or version', async () => {
    const missing = azure.cryptoClient(`${azure.endpoint.vaultUrl}/keys/crypto-missing/${'a'.repeat(32)}`, {
      maxRetries: 0,
    });
    const error = await restError(missing.unwrapKey('RSA-OAEP-256', randomBytes(256)));
    expect([error.statusCode, error.code]).toEqual([404, 'KeyNotFound']);
  });
});
