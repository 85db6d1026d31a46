import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  type Keyring,
  MultiKeyring,
  type PolykmsError,
  Suites,
  type WrapRequest,
  encrypt,
  wrapDataKey,
} from '@polykms/envelope';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AzureKeyVaultKeyring, mapAzureError } from '../src/index.js';
import { type Vault, startVault } from './fixture.js';

/*
 * A failed wrapKey must not leave the data key reachable from the error: the SDK's RestError
 * keeps the request, whose body is `{"alg":…,"value":"<base64url data key>"}`.
 */

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { purpose: 'cause' };
let vault: Vault;
let leakKeyId: string;
let healthyKeyId: string;

beforeAll(async () => {
  vault = await startVault();
  await vault.admin.createRsaKey('cause-leak', { keySize: 2048 });
  leakKeyId = `${vault.endpoint.vaultUrl}/keys/cause-leak`;
  await vault.admin.createRsaKey('cause-healthy', { keySize: 2048 });
  healthyKeyId = `${vault.endpoint.vaultUrl}/keys/cause-healthy`;
});
beforeEach(() => vault.control.reset());
afterAll(() => vault.stop());

function keyring(keyId: string) {
  return new AzureKeyVaultKeyring({
    keyId,
    credential: vault.endpoint.credential,
    clientOptions: vault.clientOptions(0),
    wrapAlgorithm: 'RSA-OAEP-256',
  });
}

/** Every value reachable from `root`: own properties (enumerable or not, getters included), Map and Set entries. */
function reachable(root: unknown): unknown[] {
  const seen = new Set<unknown>();
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const value = queue.shift();
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) {
      if (value !== null && typeof value !== 'object' && typeof value !== 'function') seen.add(value);
      continue;
    }
    seen.add(value);
    if (value instanceof Map) for (const entry of value) queue.push(entry);
    if (value instanceof Set) for (const entry of value) queue.push(entry);
    if (ArrayBuffer.isView(value)) continue;
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
      if (descriptor === undefined) continue;
      if ('value' in descriptor) queue.push(descriptor.value);
      else if (descriptor.get) {
        try {
          queue.push(descriptor.get.call(value));
        } catch {
          // A getter that throws holds nothing we can reach.
        }
      }
    }
  }
  return [...seen];
}

/** Where the data key shows in `root`'s graph, in any usual encoding; empty when nowhere. */
function leaks(root: unknown, dataKey: Uint8Array): string[] {
  const key = Buffer.from(dataKey);
  const encodings = [key.toString('base64url'), key.toString('base64'), key.toString('hex')];
  const found: string[] = [];
  for (const value of reachable(root)) {
    if (typeof value === 'string' && encodings.some((e) => value.includes(e))) found.push(value);
    if (ArrayBuffer.isView(value)) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (bytes.includes(key)) found.push(`${value.constructor.name} holding the key`);
    }
  }
  const printed = inspect(root, { depth: Number.POSITIVE_INFINITY, showHidden: true });
  if (encodings.some((e) => printed.includes(e))) found.push('util.inspect output');
  return found;
}

async function wrapFailure(k: Keyring, dataKey: Uint8Array): Promise<PolykmsError> {
  const error = await wrapDataKey(k, { suite, encryptionContext, dataKey }).then(
    () => undefined,
    (e: unknown) => e as PolykmsError,
  );
  expect(error).toBeDefined();
  return error as PolykmsError;
}

describe('errors of a failed wrapKey', () => {
  it('finds a key hidden in a non-enumerable property of a cause (the check itself can fail)', () => {
    const dataKey = randomBytes(32);
    const cause = new Error('inner');
    Object.defineProperty(cause, 'request', {
      value: { body: JSON.stringify({ value: dataKey.toString('base64url') }) },
      enumerable: false,
    });
    expect(leaks(new Error('outer', { cause }), dataKey)).not.toEqual([]);
    expect(leaks(new Error('outer', { cause: new Error('inner') }), dataKey)).toEqual([]);
  });

  it('keep the status, codes and service message of the SDK error but never the data key (503, 403, dropped connection)', async () => {
    const k = keyring(leakKeyId);
    const cases = [
      {
        arrange: () =>
          vault.control.injectFault({ cloud: 'azure', kind: 'unavailable', operation: 'wrapKey', count: 1 }),
        code: 'ERR_UNAVAILABLE',
        cause: { name: 'RestError', statusCode: 503 },
      },
      {
        arrange: () => vault.control.deny({ cloud: 'azure', operation: 'wrapKey', keyId: 'cause-leak' }),
        code: 'ERR_ACCESS_DENIED',
        cause: { name: 'RestError', statusCode: 403, code: 'Forbidden' },
      },
      {
        arrange: () =>
          vault.control.injectFault({ cloud: 'azure', kind: 'drop', operation: 'wrapKey', count: 1 }),
        code: 'ERR_UNAVAILABLE',
        cause: { name: 'RestError', statusCode: undefined, code: 'ECONNRESET' },
      },
    ];
    for (const { arrange, code, cause } of cases) {
      vault.control.reset();
      arrange();
      const dataKey = randomBytes(32);
      const error = await wrapFailure(k, dataKey);
      expect(error).toMatchObject({ code, operation: 'wrapKey', cause });
      expect(Object.keys(error.cause as object).sort()).toEqual([
        'code',
        'innerErrorCode',
        'name',
        'statusCode',
      ]);
      expect((error.cause as Error).message.length).toBeGreaterThan(0);
      expect(leaks(error, dataKey)).toEqual([]);
    }
  });

  it('keeps the data key out of a MultiKeyring encrypt that reports the failed child in missingRecipients', async () => {
    let dataKey: Uint8Array | undefined;
    const healthy = keyring(healthyKeyId);
    // Records the generator's data key (the message layer zeroes its own copy afterwards).
    const generator: Keyring = {
      description: healthy.description,
      wrap: async (request: WrapRequest) => {
        const result = await healthy.wrap(request);
        dataKey = Uint8Array.from(result.dataKey ?? []);
        return result;
      },
      unwrap: (request) => healthy.unwrap(request),
    };
    vault.control.injectFault({
      cloud: 'azure',
      kind: 'unavailable',
      operation: 'wrapKey',
      keyId: 'cause-leak',
      count: 1,
    });
    const multi = new MultiKeyring({ generator, children: [keyring(leakKeyId)], minRecipients: 1 });
    const { missingRecipients } = await encrypt(new TextEncoder().encode('hello'), {
      keyring: multi,
      encryptionContext,
    });
    expect(dataKey).toHaveLength(32);
    expect(missingRecipients).toHaveLength(1);
    expect(missingRecipients[0]!.error).toMatchObject({
      code: 'ERR_UNAVAILABLE',
      cause: { statusCode: 503 },
    });
    expect(leaks(missingRecipients, dataKey!)).toEqual([]);
  });

  it('drops the quoted body of an answer that could not be parsed, which for unwrapKey would be the data key', () => {
    const dataKey = randomBytes(32);
    const parseError = Object.assign(
      new Error(
        `Error "SyntaxError" occurred while parsing the response body - {"value":"${dataKey.toString('base64url')}"`,
      ),
      { name: 'RestError', code: 'PARSE_ERROR', statusCode: 200 },
    );
    const error = mapAzureError(parseError, { operation: 'unwrapKey', keyId: leakKeyId });
    expect(error).toMatchObject({
      code: 'ERR_PROVIDER_FAILURE',
      cause: { name: 'RestError', code: 'PARSE_ERROR', statusCode: 200 },
    });
    expect(leaks(error, dataKey)).toEqual([]);
  });
});
