import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  type EncryptedDataKey,
  type EncryptionContext,
  KMS_CALL_CHANNEL,
  type KmsCallEvent,
  NoDecryptableKeyError,
  type PolykmsError,
  Suites,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GcpKmsKeyring } from '../src/index.js';
import { type GcpTestBed, startGcpTestBed } from './emulator.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const context: EncryptionContext = { purpose: 'test', tenant: 'a' };

let bed: GcpTestBed;
let keyName: string;
let keyring: GcpKmsKeyring;
beforeAll(async () => {
  bed = await startGcpTestBed();
  keyName = await bed.createKey();
  keyring = new GcpKmsKeyring({ keyName, client: bed.client });
});
afterAll(async () => bed?.stop());
afterEach(() => bed.emulator.control.reset());

const control = () => bed.emulator.control;
const decryptCalls = (key = keyName) =>
  control().calls({ cloud: 'gcp', operation: 'Decrypt', keyId: key }).total;

async function wrapped(k = keyring, encryptionContext = context) {
  return wrapDataKey(k, { suite, encryptionContext });
}

async function failureOf(promise: Promise<unknown>): Promise<PolykmsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NoDecryptableKeyError && error.failures.length === 1) {
      return error.failures[0]?.error as PolykmsError;
    }
    return error as PolykmsError;
  }
  throw new Error('expected a failure');
}

describe('GcpKmsKeyring', () => {
  test('generates a data key, wraps it, and unwraps it again', async () => {
    const { dataKey, encryptedDataKeys } = await wrapped();
    expect(dataKey).toHaveLength(suite.keyLength);
    const [edk] = encryptedDataKeys;
    expect(edk?.providerId).toBe('gcp-kms');
    expect(new TextDecoder().decode(edk?.providerInfo)).toBe(`${keyName}/cryptoKeyVersions/1`);
    const result = await unwrapDataKey(keyring, {
      suite,
      encryptionContext: context,
      encryptedDataKeys,
    });
    expect(Buffer.from(result?.dataKey as Uint8Array).equals(Buffer.from(dataKey))).toBe(true);
  });

  test('wraps a data key given by an earlier keyring without replacing it', async () => {
    const dataKey = new Uint8Array(suite.keyLength).fill(9);
    const result = await wrapDataKey(keyring, { suite, encryptionContext: context, dataKey });
    expect(result.dataKey).toBe(dataKey);
    const opened = await unwrapDataKey(keyring, {
      suite,
      encryptionContext: context,
      encryptedDataKeys: result.encryptedDataKeys,
    });
    expect(Array.from(opened?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
  });

  test('sends CRC32C checksums that the service verifies', async () => {
    // The emulator sets verified_* only when the request carried a matching checksum, and the
    // keyring refuses a response without them: a successful wrap proves both were sent.
    await expect(wrapped()).resolves.toBeDefined();
  });

  test('rejects an EDK of another key without a KMS call', async () => {
    const otherKey = await bed.createKey();
    const other = new GcpKmsKeyring({ keyName: otherKey, client: bed.client });
    const { encryptedDataKeys } = await wrapped(other);
    control().resetCounters();
    const result = await unwrapDataKey(keyring, { suite, encryptionContext: context, encryptedDataKeys });
    expect(result).toBeNull();
    expect(control().calls({ cloud: 'gcp', operation: 'Decrypt' }).total).toBe(0);
  });

  test('skips EDKs of other providers and malformed provider info without a KMS call', async () => {
    const { encryptedDataKeys } = await wrapped();
    const [edk] = encryptedDataKeys as [EncryptedDataKey];
    const foreign: EncryptedDataKey[] = [
      { ...edk, providerId: 'aws-kms' },
      { ...edk, providerInfo: new TextEncoder().encode(keyName) },
      { ...edk, providerInfo: Uint8Array.of(0xff, 0xfe) },
      { ...edk, providerInfo: new TextEncoder().encode(`${keyName}/cryptoKeyVersions/1/extra`) },
    ];
    control().resetCounters();
    expect(
      await unwrapDataKey(keyring, { suite, encryptionContext: context, encryptedDataKeys: foreign }),
    ).toBeNull();
    expect(decryptCalls()).toBe(0);
  });

  test('fails a tampered EDK with ERR_INVALID_CIPHERTEXT, and opens a good EDK after it', async () => {
    const { dataKey, encryptedDataKeys } = await wrapped();
    const [edk] = encryptedDataKeys as [EncryptedDataKey];
    const ciphertext = Uint8Array.from(edk.ciphertext);
    ciphertext[ciphertext.length - 3] = (ciphertext[ciphertext.length - 3] as number) ^ 0x40;
    const tampered = { ...edk, ciphertext };
    const error = await failureOf(
      unwrapDataKey(keyring, { suite, encryptionContext: context, encryptedDataKeys: [tampered] }),
    );
    expect(error.code).toBe('ERR_INVALID_CIPHERTEXT');
    expect(error.retryable).toBe(false);
    const result = await unwrapDataKey(keyring, {
      suite,
      encryptionContext: context,
      encryptedDataKeys: [tampered, edk],
    });
    expect(Array.from(result?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
    expect(result?.encryptedDataKey).toBe(edk);
  });

  test('binds the encryption context: another context fails with ERR_INVALID_CIPHERTEXT', async () => {
    const { encryptedDataKeys } = await wrapped();
    for (const encryptionContext of [{ ...context, tenant: 'b' }, {}]) {
      const error = await failureOf(unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys }));
      expect(error.code).toBe('ERR_INVALID_CIPHERTEXT');
    }
  });

  test('round-trips with an empty encryption context', async () => {
    const { dataKey, encryptedDataKeys } = await wrapped(keyring, {});
    const result = await unwrapDataKey(keyring, { suite, encryptionContext: {}, encryptedDataKeys });
    expect(Array.from(result?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
  });

  test('reports a disabled primary version as ERR_KEY_DISABLED on both sides', async () => {
    const key = await bed.createKey();
    const k = new GcpKmsKeyring({ keyName: key, client: bed.client });
    const { encryptedDataKeys } = await wrapped(k);
    await bed.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: `${key}/cryptoKeyVersions/1`, state: 'DISABLED' },
      updateMask: { paths: ['state'] },
    });
    expect((await failureOf(wrapped(k))).code).toBe('ERR_KEY_DISABLED');
    const error = await failureOf(unwrapDataKey(k, { suite, encryptionContext: context, encryptedDataKeys }));
    expect(error.code).toBe('ERR_KEY_DISABLED');
  });

  test('reports a missing key as ERR_KEY_NOT_FOUND', async () => {
    const missing = new GcpKmsKeyring({ keyName: `${keyName}-gone`, client: bed.client });
    const error = await failureOf(wrapped(missing));
    expect(error.code).toBe('ERR_KEY_NOT_FOUND');
    expect(error.keyId).toBe(`${keyName}-gone`);
  });

  test('an encrypt-only caller fails on decrypt with ERR_ACCESS_DENIED naming the permission and key', async () => {
    const { encryptedDataKeys } = await wrapped();
    control().deny({ cloud: 'gcp', operation: 'Decrypt', keyId: keyName });
    const error = await failureOf(
      unwrapDataKey(keyring, { suite, encryptionContext: context, encryptedDataKeys }),
    );
    expect(error.code).toBe('ERR_ACCESS_DENIED');
    expect(error.message).toContain('cloudkms.cryptoKeyVersions.useToDecrypt');
    expect(error.message).toContain(keyName);
    expect(error.provider).toBe('gcp-kms');
    expect((error.cause as { code: number }).code).toBe(7);
  });

  test('denied encryption names cloudkms.cryptoKeyVersions.useToEncrypt', async () => {
    control().deny({ cloud: 'gcp', operation: 'Encrypt', keyId: keyName });
    const error = await failureOf(wrapped());
    expect(error.code).toBe('ERR_ACCESS_DENIED');
    expect(error.message).toContain('cloudkms.cryptoKeyVersions.useToEncrypt');
  });

  test('retries a throttled call (RESOURCE_EXHAUSTED) and succeeds', async () => {
    control().resetCounters();
    control().injectFault({ cloud: 'gcp', kind: 'throttle', operation: 'Encrypt', count: 1 });
    await expect(wrapped()).resolves.toBeDefined();
    expect(control().calls({ cloud: 'gcp', operation: 'Encrypt', keyId: keyName }).total).toBe(2);
  });

  test('rides out a transient UNAVAILABLE with one retry', async () => {
    control().resetCounters();
    control().injectFault({ cloud: 'gcp', kind: 'unavailable', operation: 'Decrypt', count: 1 });
    const { dataKey, encryptedDataKeys } = await wrapped();
    const result = await unwrapDataKey(keyring, { suite, encryptionContext: context, encryptedDataKeys });
    expect(Array.from(result?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
    expect(decryptCalls()).toBe(2);
  });

  for (const [kind, code] of [
    ['throttle', 'ERR_THROTTLED'],
    ['unavailable', 'ERR_UNAVAILABLE'],
  ] as const) {
    test(`gives up after retry.maxAttempts calls under persistent ${kind}, with retryable ${code}`, async () => {
      const k = new GcpKmsKeyring({
        keyName,
        client: bed.client,
        retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
      });
      control().resetCounters();
      control().injectFault({ cloud: 'gcp', kind, operation: 'Encrypt' });
      const error = await failureOf(wrapped(k));
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(true);
      expect(control().calls({ cloud: 'gcp', operation: 'Encrypt', keyId: keyName }).total).toBe(3);
    });
  }

  test('makes exactly one call per operation when retry.maxAttempts is 1', async () => {
    const k = new GcpKmsKeyring({ keyName, client: bed.client, retry: { maxAttempts: 1 } });
    control().resetCounters();
    control().injectFault({ cloud: 'gcp', kind: 'throttle', operation: 'Encrypt', count: 1 });
    const error = await failureOf(wrapped(k));
    expect(error.code).toBe('ERR_THROTTLED');
    expect(control().calls({ cloud: 'gcp', operation: 'Encrypt', keyId: keyName }).total).toBe(1);
  });

  test('does not retry an error that is not transient (access denied)', async () => {
    control().resetCounters();
    control().deny({ cloud: 'gcp', operation: 'Encrypt', keyId: keyName });
    expect((await failureOf(wrapped())).code).toBe('ERR_ACCESS_DENIED');
    expect(control().calls({ cloud: 'gcp', operation: 'Encrypt', keyId: keyName }).total).toBe(1);
  });

  test('refuses a timeoutMs or retry setting out of range', () => {
    for (const timeoutMs of [0, -1, 1.5, Number.NaN]) {
      expect(() => new GcpKmsKeyring({ keyName, timeoutMs })).toThrow(/timeoutMs/);
    }
    for (const retry of [
      { maxAttempts: 0 },
      { maxAttempts: 11 },
      { initialDelayMs: 0 },
      { maxDelayMs: 1.5 },
    ]) {
      expect(() => new GcpKmsKeyring({ keyName, retry })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });

  test('times out with ERR_TIMEOUT when the service is slower than timeoutMs', async () => {
    const slow = new GcpKmsKeyring({ keyName, client: bed.client, timeoutMs: 100 });
    control().injectFault({ cloud: 'gcp', kind: 'latency', operation: 'Encrypt', latencyMs: 1000 });
    const error = await failureOf(wrapped(slow));
    expect(error.code).toBe('ERR_TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  test('stops at once with ERR_CANCELLED when the caller aborts', async () => {
    control().injectFault({ cloud: 'gcp', kind: 'latency', operation: 'Encrypt', latencyMs: 1000 });
    const abort = new AbortController();
    const pending = wrapDataKey(keyring, { suite, encryptionContext: context, signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    const error = await failureOf(pending);
    expect(error.code).toBe('ERR_CANCELLED');
  });

  test('an already aborted signal makes no KMS call', async () => {
    control().resetCounters();
    const error = await failureOf(
      wrapDataKey(keyring, { suite, encryptionContext: context, signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe('ERR_CANCELLED');
    expect(control().calls({ cloud: 'gcp' }).total).toBe(0);
  });

  test('keeps EDKs made before a rotation readable, and wraps new ones with the new primary', async () => {
    const key = await bed.createKey();
    const k = new GcpKmsKeyring({ keyName: key, client: bed.client });
    const before = await wrapped(k);
    const [v2] = await bed.client.createCryptoKeyVersion({ parent: key, cryptoKeyVersion: {} });
    await bed.client.updateCryptoKeyPrimaryVersion({ name: key, cryptoKeyVersionId: '2' });
    const after = await wrapped(k);
    expect(new TextDecoder().decode(after.encryptedDataKeys[0]?.providerInfo)).toBe(v2.name);
    for (const { dataKey, encryptedDataKeys } of [before, after]) {
      const result = await unwrapDataKey(k, { suite, encryptionContext: context, encryptedDataKeys });
      expect(Array.from(result?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
    }
  });

  test('refuses a key name that is not a CryptoKey', () => {
    for (const name of [
      `${'projects/p/locations/l/keyRings/r'}`,
      'gcp-kms://projects/p',
      `${'x'}/cryptoKeyVersions/1`,
    ]) {
      expect(() => new GcpKmsKeyring({ keyName: name, client: bed.client })).toThrow(/CryptoKey name/);
    }
    expect(() => new GcpKmsKeyring({ keyName: `${keyName}/cryptoKeyVersions/1` })).toThrow(/CryptoKey name/);
  });

  test('publishes each KMS call on the diagnostics channel without secrets', async () => {
    const events: KmsCallEvent[] = [];
    const listener = (event: unknown) => events.push(event as KmsCallEvent);
    subscribe(KMS_CALL_CHANNEL, listener);
    try {
      const { dataKey, encryptedDataKeys } = await wrapped();
      await unwrapDataKey(keyring, { suite, encryptionContext: context, encryptedDataKeys });
      control().deny({ cloud: 'gcp', operation: 'Decrypt' });
      await failureOf(unwrapDataKey(keyring, { suite, encryptionContext: context, encryptedDataKeys }));
      expect(events.map((e) => [e.provider, e.operation, e.keyId, e.outcome, e.errorCode])).toEqual([
        ['gcp-kms', 'Encrypt', keyName, 'success', undefined],
        // Decrypt names the version the EDK holds, as AWS and Azure name theirs.
        ['gcp-kms', 'Decrypt', `${keyName}/cryptoKeyVersions/1`, 'success', undefined],
        ['gcp-kms', 'Decrypt', `${keyName}/cryptoKeyVersions/1`, 'error', 'ERR_ACCESS_DENIED'],
      ]);
      const serialized = JSON.stringify(events);
      const secrets = [dataKey, encryptedDataKeys[0]?.ciphertext as Uint8Array];
      for (const secret of secrets) {
        expect(serialized).not.toContain(Buffer.from(secret).toString('base64'));
        expect(serialized).not.toContain(Buffer.from(secret).toString('hex'));
      }
      for (const event of events) {
        expect(Object.keys(event).sort()).toEqual(
          [
            'durationMs',
            'keyId',
            'operation',
            'outcome',
            'provider',
            ...(event.errorCode ? ['errorCode'] : []),
          ].sort(),
        );
      }
    } finally {
      unsubscribe(KMS_CALL_CHANNEL, listener);
    }
  });
});
