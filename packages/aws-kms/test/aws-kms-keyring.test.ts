import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  CreateAliasCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  type KMSClient,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import {
  type EncryptedDataKey,
  ErrorCodes,
  KMS_CALL_CHANNEL,
  type KmsCallEvent,
  MultiKeyring,
  NoDecryptableKeyError,
  type PolykmsError,
  Suites,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsKmsDiscoveryKeyring, AwsKmsKeyring } from '../src/index.js';
import { type KmsTarget, startEmulatorTarget } from './aws-targets.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { tenant: 'acme', purpose: 'test' };

/** The typed error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<PolykmsError> {
  try {
    await promise;
  } catch (error) {
    return error as PolykmsError;
  }
  throw new Error('expected a rejection');
}

/** The one failure inside a NoDecryptableKeyError. */
async function unwrapFailure(promise: Promise<unknown>): Promise<PolykmsError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(NoDecryptableKeyError);
  const failures = (error as NoDecryptableKeyError).failures;
  expect(failures).toHaveLength(1);
  return (failures[0] as { error: PolykmsError }).error;
}

describe('AwsKmsKeyring against the emulator', () => {
  let target: KmsTarget;
  let kms: KMSClient;
  const control = () => target.control as NonNullable<KmsTarget['control']>;
  const keyring = (keyId: string, extra: Partial<ConstructorParameters<typeof AwsKmsKeyring>[0]> = {}) =>
    new AwsKmsKeyring({ keyId, client: kms, ...extra });
  const edkOf = async (ring: AwsKmsKeyring) => {
    const { dataKey, encryptedDataKeys } = await wrapDataKey(ring, { suite, encryptionContext });
    return { dataKey, edk: encryptedDataKeys[0] as EncryptedDataKey };
  };
  const open = (
    ring: AwsKmsKeyring | AwsKmsDiscoveryKeyring,
    edks: EncryptedDataKey[],
    ec: Record<string, string> = encryptionContext,
  ) => unwrapDataKey(ring, { suite, encryptionContext: ec, encryptedDataKeys: edks });

  beforeAll(async () => {
    target = await startEmulatorTarget();
    kms = target.client();
  });
  afterEach(() => control().reset());
  afterAll(() => target.stop());

  it('generates a data key, wraps it with the key ARN as provider info, and unwraps it', async () => {
    const arn = await target.createKey();
    const ring = keyring(arn);
    const { dataKey, edk } = await edkOf(ring);
    expect(dataKey).toHaveLength(32);
    expect(edk.providerId).toBe('aws-kms');
    expect(new TextDecoder().decode(edk.providerInfo)).toBe(arn);
    const opened = await open(ring, [edk]);
    expect(Buffer.from(opened?.dataKey as Uint8Array).equals(Buffer.from(dataKey))).toBe(true);
    expect(control().calls({ cloud: 'aws', operation: 'GenerateDataKey', keyId: arn }).total).toBe(1);
  });

  it('wraps an existing data key with Encrypt', async () => {
    const arn = await target.createKey();
    const dataKey = new Uint8Array(32).fill(7);
    const { encryptedDataKeys } = await wrapDataKey(keyring(arn), { suite, encryptionContext, dataKey });
    expect(control().calls({ operation: 'Encrypt', keyId: arn }).total).toBe(1);
    const opened = await open(keyring(arn), [...encryptedDataKeys]);
    expect(opened?.dataKey).toEqual(dataKey);
  });

  it('generates data keys of each suite length', async () => {
    const arn = await target.createKey();
    for (const s of [Suites.AES_128_GCM_IV12_TAG16_NO_KDF, Suites.AES_192_GCM_IV12_TAG16_HKDF_SHA256]) {
      const { dataKey, encryptedDataKeys } = await wrapDataKey(keyring(arn), { suite: s, encryptionContext });
      expect(dataKey).toHaveLength(s.keyLength);
      const opened = await unwrapDataKey(keyring(arn), { suite: s, encryptionContext, encryptedDataKeys });
      expect(opened?.dataKey).toEqual(dataKey);
    }
  });

  it('encrypts through an alias but records the key ARN KMS reports, and refuses to decrypt by alias', async () => {
    const arn = await target.createKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app-data', TargetKeyId: arn }));
    const aliasArn = arn.replace(/key\/.*$/, 'alias/app-data');
    const byAlias = keyring(aliasArn);
    const { edk } = await edkOf(byAlias);
    expect(new TextDecoder().decode(edk.providerInfo)).toBe(arn);
    const error = await rejection(open(byAlias, [edk]));
    expect(error.code).toBe(ErrorCodes.InvalidArgument);
    expect(error.message).toContain('key ARN');
    expect(await open(keyring(arn), [edk])).not.toBeNull();
  });

  it('rejects an EDK of another key without a KMS call', async () => {
    const [a, b] = [await target.createKey(), await target.createKey()];
    const { edk } = await edkOf(keyring(a));
    const foreign = { providerId: 'other', providerInfo: edk.providerInfo, ciphertext: edk.ciphertext };
    control().resetCounters();
    expect(await open(keyring(b), [edk, foreign])).toBeNull();
    expect(control().calls({ cloud: 'aws' }).total).toBe(0);
  });

  it('opens the first EDK that works after one that fails', async () => {
    const arn = await target.createKey();
    const { dataKey, edk } = await edkOf(keyring(arn));
    const damaged = {
      ...edk,
      ciphertext: edk.ciphertext.map((b, i) => (i === edk.ciphertext.length - 1 ? b ^ 1 : b)),
    };
    const opened = await open(keyring(arn), [damaged, edk]);
    expect(opened?.encryptedDataKey).toBe(edk);
    expect(opened?.dataKey).toEqual(dataKey);
  });

  it('fails with ERR_INVALID_CIPHERTEXT for a tampered EDK', async () => {
    const arn = await target.createKey();
    const { edk } = await edkOf(keyring(arn));
    const tampered = { ...edk, ciphertext: Uint8Array.from(edk.ciphertext) };
    tampered.ciphertext[tampered.ciphertext.length - 5] = (tampered.ciphertext.at(-5) as number) ^ 0x80;
    const error = await unwrapFailure(open(keyring(arn), [tampered]));
    expect(error).toMatchObject({ code: ErrorCodes.InvalidCiphertext, provider: 'aws-kms', keyId: arn });
    expect((error.cause as Error).name).toBe('InvalidCiphertextException');
  });

  it('fails with ERR_INVALID_CIPHERTEXT when the encryption context differs', async () => {
    const arn = await target.createKey();
    const { edk } = await edkOf(keyring(arn));
    const error = await unwrapFailure(open(keyring(arn), [edk], { ...encryptionContext, tenant: 'other' }));
    expect(error.code).toBe(ErrorCodes.InvalidCiphertext);
  });

  it('fails with ERR_KEY_DISABLED on a disabled key, both ways, and works again once enabled', async () => {
    const arn = await target.createKey();
    const { edk } = await edkOf(keyring(arn));
    await kms.send(new DisableKeyCommand({ KeyId: arn }));
    expect((await unwrapFailure(open(keyring(arn), [edk]))).code).toBe(ErrorCodes.KeyDisabled);
    expect((await rejection(edkOf(keyring(arn)))).code).toBe(ErrorCodes.KeyDisabled);
    await kms.send(new EnableKeyCommand({ KeyId: arn }));
    expect(await open(keyring(arn), [edk])).not.toBeNull();
  });

  it('fails with ERR_KEY_NOT_FOUND for a key that does not exist', async () => {
    const arn = (await target.createKey()).replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000');
    const error = await rejection(edkOf(keyring(arn)));
    expect(error).toMatchObject({ code: ErrorCodes.KeyNotFound, keyId: arn, retryable: false });
  });

  it('works encrypt-only and fails decrypt with access denied naming the key and kms:Decrypt', async () => {
    const arn = await target.createKey();
    control().deny({ cloud: 'aws', operation: 'Decrypt', keyId: arn });
    const { edk } = await edkOf(keyring(arn));
    const error = await unwrapFailure(open(keyring(arn), [edk]));
    expect(error).toMatchObject({
      code: ErrorCodes.AccessDenied,
      keyId: arn,
      provider: 'aws-kms',
      retryable: false,
    });
    expect(error.message).toContain('kms:Decrypt');
    expect(error.message).toContain(arn);
  });

  it('names kms:GenerateDataKey when generating is denied', async () => {
    const arn = await target.createKey();
    control().deny({ cloud: 'aws', operation: 'GenerateDataKey', keyId: arn });
    const error = await rejection(edkOf(keyring(arn)));
    expect(error.code).toBe(ErrorCodes.AccessDenied);
    expect(error.message).toContain('kms:GenerateDataKey');
  });

  it('succeeds through throttling as the SDK retries, and reports ERR_THROTTLED when retries run out', async () => {
    const arn = await target.createKey();
    control().injectFault({ cloud: 'aws', kind: 'throttle', operation: 'GenerateDataKey', count: 2 });
    control().resetCounters();
    await edkOf(keyring(arn));
    expect(control().calls({ operation: 'GenerateDataKey' }).total).toBe(3);

    control().injectFault({ cloud: 'aws', kind: 'throttle', operation: 'GenerateDataKey', count: 1 });
    const error = await rejection(edkOf(keyring(arn, { client: target.client({ maxAttempts: 1 }) })));
    expect(error).toMatchObject({ code: ErrorCodes.Throttled, retryable: true });
  });

  it('reports ERR_UNAVAILABLE (retryable) for a 503 and for a dropped connection', async () => {
    const arn = await target.createKey();
    const once = keyring(arn, { client: target.client({ maxAttempts: 1 }) });
    control().injectFault({ cloud: 'aws', kind: 'unavailable', operation: 'GenerateDataKey', count: 1 });
    expect(await rejection(edkOf(once))).toMatchObject({ code: ErrorCodes.Unavailable, retryable: true });
    control().injectFault({ cloud: 'aws', kind: 'drop', operation: 'GenerateDataKey', count: 1 });
    expect(await rejection(edkOf(once))).toMatchObject({ code: ErrorCodes.Unavailable, retryable: true });
  });

  it('gives up with ERR_TIMEOUT when KMS answers after timeoutMs', async () => {
    const arn = await target.createKey();
    control().injectFault({
      cloud: 'aws',
      kind: 'latency',
      latencyMs: 2_000,
      operation: 'GenerateDataKey',
      count: 1,
    });
    const error = await rejection(edkOf(keyring(arn, { timeoutMs: 100 })));
    expect(error).toMatchObject({ code: ErrorCodes.Timeout, retryable: true, keyId: arn });
  });

  it('stops with ERR_CANCELLED when the caller aborts, and makes no call for an aborted signal', async () => {
    const arn = await target.createKey();
    const { edk } = await edkOf(keyring(arn));
    control().injectFault({
      cloud: 'aws',
      kind: 'latency',
      latencyMs: 2_000,
      operation: 'Decrypt',
      count: 1,
    });
    const controller = new AbortController();
    const pending = unwrapDataKey(keyring(arn), {
      suite,
      encryptionContext,
      encryptedDataKeys: [edk],
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    expect((await rejection(pending)).code).toBe(ErrorCodes.Cancelled);

    control().resetCounters();
    const aborted = AbortSignal.abort();
    const error = await rejection(wrapDataKey(keyring(arn), { suite, encryptionContext, signal: aborted }));
    expect(error.code).toBe(ErrorCodes.Cancelled);
    expect(control().calls({ cloud: 'aws' }).total).toBe(0);
  });

  it('keeps EDKs made before RotateKeyOnDemand readable', async () => {
    const arn = await target.createKey();
    const before = await edkOf(keyring(arn));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: arn }));
    const after = await edkOf(keyring(arn));
    expect((await open(keyring(arn), [before.edk]))?.dataKey).toEqual(before.dataKey);
    expect((await open(keyring(arn), [after.edk]))?.dataKey).toEqual(after.dataKey);
  });

  it('discards the data key when KMS answers for another key than the EDK names', async () => {
    const [arn, other] = [await target.createKey(), await target.createKey()];
    const { edk } = await edkOf(keyring(arn));
    const lying = target.client();
    lying.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        (result.output as { KeyId?: string }).KeyId = other;
        return result;
      },
      { step: 'initialize', name: 'swapKeyId' },
    );
    const error = await unwrapFailure(open(keyring(arn, { client: lying }), [edk]));
    expect(error.code).toBe(ErrorCodes.ProviderFailure);
    expect(error.message).toContain('not the one asked for');
  });

  /** A real SDK client whose answers name `other` as the key that did the work. */
  const clientAnsweringFor = (other: string) => {
    const lying = target.client();
    lying.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        (result.output as { KeyId?: string }).KeyId = other;
        return result;
      },
      { step: 'initialize', name: 'swapKeyId' },
    );
    return lying;
  };

  it('refuses a GenerateDataKey answer from another key and returns neither data key nor EDK', async () => {
    const [arn, other] = [await target.createKey(), await target.createKey()];
    const ring = keyring(arn, { client: clientAnsweringFor(other) });
    const error = await rejection(wrapDataKey(ring, { suite, encryptionContext }));
    expect(error.code).toBe(ErrorCodes.ProviderFailure);
    expect(error.message).toContain(other);
    expect(control().calls({ cloud: 'aws', operation: 'GenerateDataKey', keyId: arn }).total).toBe(1);
  });

  it('refuses an Encrypt answer from another key and returns no EDK', async () => {
    const [arn, other] = [await target.createKey(), await target.createKey()];
    const ring = keyring(arn, { client: clientAnsweringFor(other) });
    const dataKey = new Uint8Array(32).fill(7);
    const error = await rejection(wrapDataKey(ring, { suite, encryptionContext, dataKey }));
    expect(error.code).toBe(ErrorCodes.ProviderFailure);
    expect(error.message).toContain(other);
    expect(control().calls({ cloud: 'aws', operation: 'Encrypt', keyId: arn }).total).toBe(1);
  });

  it('as a MultiKeyring child, reports an Encrypt answer from another key as a failure, not an EDK', async () => {
    const [a, b, other] = [await target.createKey(), await target.createKey(), await target.createKey()];
    const multi = new MultiKeyring({
      generator: keyring(a),
      children: [keyring(b, { client: clientAnsweringFor(other) })],
      minRecipients: 1,
    });
    const { encryptedDataKeys, failures } = await wrapDataKey(multi, { suite, encryptionContext });
    expect(encryptedDataKeys.map((edk) => new TextDecoder().decode(edk.providerInfo))).toEqual([a]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error.code).toBe(ErrorCodes.ProviderFailure);
    expect(control().calls({ cloud: 'aws', operation: 'Encrypt', keyId: b }).total).toBe(1);
  });

  it('picks the client for the region of the key ARN', async () => {
    const arn = await target.createKey('eu-west-1');
    const regions: string[] = [];
    const ring = new AwsKmsKeyring({
      keyId: arn,
      clientProvider: (region) => {
        regions.push(region);
        return target.client({ region });
      },
    });
    const { edk } = await edkOf(ring);
    expect(await open(ring, [edk])).not.toBeNull();
    expect(regions).toEqual(['eu-west-1']);
  });

  it('refuses bad configuration with ERR_INVALID_ARGUMENT', () => {
    const bad = [
      () => new AwsKmsKeyring({ keyId: '' }),
      () => new AwsKmsKeyring({ keyId: 'alias/no-region' }),
      () =>
        new AwsKmsKeyring({ keyId: 'arn:aws:kms:us-east-1:111122223333:key/a', client: kms, timeoutMs: -1 }),
      () =>
        new AwsKmsKeyring({
          keyId: 'arn:aws:kms:us-east-1:111122223333:key/a',
          client: kms,
          grantTokens: Array(11).fill('t'),
        }),
    ];
    for (const make of bad)
      expect(make).toThrow(expect.objectContaining({ code: ErrorCodes.InvalidArgument }));
  });

  it('publishes every KMS call on the diagnostics channel without secrets', async () => {
    const arn = await target.createKey();
    const events: KmsCallEvent[] = [];
    const listener = (event: unknown) => events.push(event as KmsCallEvent);
    subscribe(KMS_CALL_CHANNEL, listener);
    try {
      const { dataKey, edk } = await edkOf(keyring(arn));
      await open(keyring(arn), [edk]);
      await open(keyring(arn), [edk], { other: 'context' }).catch(() => {});
      expect(events.map((e) => [e.provider, e.operation, e.keyId, e.outcome, e.errorCode])).toEqual([
        ['aws-kms', 'GenerateDataKey', arn, 'success', undefined],
        ['aws-kms', 'Decrypt', arn, 'success', undefined],
        ['aws-kms', 'Decrypt', arn, 'error', ErrorCodes.InvalidCiphertext],
      ]);
      const serialized = JSON.stringify(events);
      for (const secret of [dataKey, edk.ciphertext]) {
        const bytes = Buffer.from(secret);
        for (const encoding of ['base64', 'hex'] as const)
          expect(serialized).not.toContain(bytes.toString(encoding));
      }
      expect(Object.keys(events[0] as object).sort()).toEqual([
        'durationMs',
        'keyId',
        'operation',
        'outcome',
        'provider',
      ]);
    } finally {
      unsubscribe(KMS_CALL_CHANNEL, listener);
    }
  });

  describe('AwsKmsDiscoveryKeyring', () => {
    const discovery = (accountIds: string[], partition = 'aws') =>
      new AwsKmsDiscoveryKeyring({
        discoveryFilter: { partition, accountIds },
        clientProvider: (region) => target.client({ region }),
      });

    it('opens an EDK whose key is in an allowed account, in the key ARN region', async () => {
      const arn = await target.createKey('eu-central-1');
      const { dataKey, edk } = await edkOf(
        keyring(arn, { client: target.client({ region: 'eu-central-1' }) }),
      );
      const opened = await open(discovery(['111122223333']), [edk]);
      expect(opened?.dataKey).toEqual(dataKey);
    });

    it('skips, without a KMS call, EDKs of other accounts or partitions', async () => {
      const arn = await target.createKey();
      const { edk } = await edkOf(keyring(arn));
      control().resetCounters();
      expect(await open(discovery(['444455556666']), [edk])).toBeNull();
      expect(await open(discovery(['111122223333'], 'aws-cn'), [edk])).toBeNull();
      const aliasEdk = { ...edk, providerInfo: new TextEncoder().encode(arn.replace(/key\/.*/, 'alias/x')) };
      expect(await open(discovery(['111122223333']), [aliasEdk])).toBeNull();
      // The ARN says partition aws, but KMS would be called in a region of another partition, or none.
      for (const region of ['cn-north-1', 'us-gov-west-1', 'zz-evil-9']) {
        const elsewhere = arn.replace(/:kms:[^:]+:/, `:kms:${region}:`);
        const edkElsewhere = { ...edk, providerInfo: new TextEncoder().encode(elsewhere) };
        expect(await open(discovery(['111122223333']), [edkElsewhere])).toBeNull();
      }
      expect(control().calls({ cloud: 'aws' }).total).toBe(0);
    });

    it('refuses to encrypt with ERR_INVALID_ARGUMENT naming the strict keyring', async () => {
      const error = await rejection(wrapDataKey(discovery(['111122223333']), { suite, encryptionContext }));
      expect(error.code).toBe(ErrorCodes.InvalidArgument);
      expect(error.message).toContain('a discovery keyring cannot encrypt: use AwsKmsKeyring with a key id');
    });

    it('refuses grantTokens and timeoutMs as AwsKmsKeyring does', () => {
      const discoveryFilter = { partition: 'aws', accountIds: ['111122223333'] };
      for (const bad of [
        { grantTokens: 'token' as never },
        { grantTokens: Array.from({ length: 11 }, () => 't') },
        { grantTokens: [1] as never },
        { timeoutMs: 0 },
        { timeoutMs: 2.5 },
      ]) {
        expect(() => new AwsKmsDiscoveryKeyring({ discoveryFilter, ...bad })).toThrow(
          expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
        );
      }
    });

    it('requires a filter with at least one 12-digit account', () => {
      for (const discoveryFilter of [
        undefined,
        { partition: 'aws', accountIds: [] },
        { partition: 'aws-made-up', accountIds: ['111122223333'] },
        { partition: 'aws', accountIds: ['1'] },
      ]) {
        expect(
          () =>
            new AwsKmsDiscoveryKeyring({ discoveryFilter } as unknown as ConstructorParameters<
              typeof AwsKmsDiscoveryKeyring
            >[0]),
        ).toThrow(expect.objectContaining({ code: ErrorCodes.InvalidArgument }));
      }
    });
  });
});
