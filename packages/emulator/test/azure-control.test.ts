import { randomBytes } from 'node:crypto';
import { CryptographyClient, type KeyVaultKey } from '@azure/keyvault-keys';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AzureFixture, restError, startAzure } from './azure-fixture.js';

let azure: AzureFixture;
let key: KeyVaultKey;
let keyIdWithoutVersion: string;
let wrapped: Uint8Array;
const secret = randomBytes(32);

beforeAll(async () => {
  azure = await startAzure({ throttleRetryAfterMs: 5 });
  key = await azure.keyClient.createRsaKey('control-key');
  keyIdWithoutVersion = `${azure.endpoint.vaultUrl}/keys/control-key`;
  wrapped = (await azure.cryptoClient(key.id!).wrapKey('RSA-OAEP-256', secret)).result;
});
beforeEach(() => azure.control.reset());
afterAll(() => azure.stop());

describe('Azure front end: the test-control plane', () => {
  it('admits each call under its permission name and the key id without version', async () => {
    await azure.cryptoClient(key.id!).unwrapKey('RSA-OAEP-256', wrapped);
    const records = azure.control.calls({ cloud: 'azure' }).records;
    expect(records).toEqual(
      expect.arrayContaining([
        { cloud: 'azure', operation: 'get', keyId: keyIdWithoutVersion, count: 1 },
        { cloud: 'azure', operation: 'unwrapKey', keyId: keyIdWithoutVersion, count: 1 },
      ]),
    );
    // The 401 challenge that precedes every new client is not a call.
    expect(azure.control.calls({ cloud: 'azure' }).total).toBe(2);
  });

  it('denies a permission with 403 Forbidden / ForbiddenByPolicy naming the permission and key', async () => {
    azure.control.deny({ cloud: 'azure', operation: 'unwrapKey', keyId: 'control-key' });
    const error = await restError(
      azure.cryptoClient(key.id!, { maxRetries: 0 }).unwrapKey('RSA-OAEP-256', wrapped),
    );
    expect([error.statusCode, error.code]).toEqual([403, 'Forbidden']);
    expect(error.details?.error?.innerError?.code).toBe('ForbiddenByPolicy');
    expect(error.message).toContain('unwrapKey');
    expect(error.message).toContain(keyIdWithoutVersion);
    // Other permissions on the same key still work.
    await azure.cryptoClient(key.id!).wrapKey('RSA-OAEP-256', secret);
  });

  it('denies a permission to one bearer token only, as an identity without that permission', async () => {
    const encryptOnly = new CryptographyClient(
      key.id!,
      {
        getToken: async () => ({ token: 'encrypt-only', expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
      { ...azure.endpoint.clientOptions, retryOptions: { maxRetries: 0 } },
    );
    azure.control.deny({ cloud: 'azure', operation: 'unwrapKey', principal: 'encrypt-only' });
    const error = await restError(encryptOnly.unwrapKey('RSA-OAEP-256', wrapped));
    expect([error.statusCode, error.code]).toEqual([403, 'Forbidden']);
    await encryptOnly.wrapKey('RSA-OAEP-256', secret);
    const unwrapped = await azure.cryptoClient(key.id!).unwrapKey('RSA-OAEP-256', wrapped);
    expect(Buffer.from(unwrapped.result).equals(secret)).toBe(true);
  });

  it('makes CryptographyClient fall back to remote operations when get is denied', async () => {
    azure.control.deny({ cloud: 'azure', operation: 'get', keyId: 'control-key' });
    const result = await azure.cryptoClient(key.id!).wrapKey('RSA-OAEP', secret);
    // RSA-OAEP would have run locally had the client been allowed to read the public key.
    expect(azure.control.calls({ operation: 'wrapKey' }).total).toBe(1);
    const unwrapped = await azure.cryptoClient(key.id!).unwrapKey('RSA-OAEP', result.result);
    expect(Buffer.from(unwrapped.result).equals(secret)).toBe(true);
  });

  it('throttles with 429 and a Retry-After header', async () => {
    azure.control.injectFault({ cloud: 'azure', kind: 'throttle', operation: 'get', count: 1 });
    const error = await restError(azure.newKeyClient({ maxRetries: 0 }).getKey('control-key'));
    expect([error.statusCode, error.code]).toEqual([429, 'Throttled']);
    expect(error.response?.headers.get('retry-after')).toBe('1');
    expect(error.response?.headers.get('x-ms-retry-after-ms')).toBe('5');
  });

  it('lets the client retry through throttling to success', async () => {
    azure.control.injectFault({ cloud: 'azure', kind: 'throttle', operation: 'unwrapKey', count: 2 });
    const unwrapped = await azure.cryptoClient(key.id!).unwrapKey('RSA-OAEP-256', wrapped);
    expect(Buffer.from(unwrapped.result).equals(secret)).toBe(true);
    expect(azure.control.calls({ operation: 'unwrapKey' }).total).toBe(3);
  });

  it('fails with a retryable 503 when the service is unavailable', async () => {
    azure.control.injectFault({ cloud: 'azure', kind: 'unavailable', keyId: 'control-key' });
    const error = await restError(azure.newKeyClient({ maxRetries: 0 }).getKey('control-key'));
    expect([error.statusCode, error.code]).toEqual([503, 'ServiceUnavailable']);
  });

  it('drops the connection without an answer', async () => {
    azure.control.injectFault({ cloud: 'azure', kind: 'drop', operation: 'get', count: 1 });
    const error = await azure
      .newKeyClient({ maxRetries: 0 })
      .getKey('control-key')
      .then(
        () => undefined,
        (e: unknown) => e as { name: string; code?: string },
      );
    expect(error?.name).toBe('RestError');
    expect(error?.code).toBe('ECONNRESET');
    // The server survives.
    expect((await azure.keyClient.getKey('control-key')).id).toBe(key.id);
  });

  it('adds latency and then serves the call', async () => {
    azure.control.injectFault({ cloud: 'azure', kind: 'latency', latencyMs: 20, operation: 'get', count: 1 });
    expect((await azure.keyClient.getKey('control-key')).id).toBe(key.id);
    expect(azure.control.calls({ operation: 'get' }).total).toBe(1);
  });
});
