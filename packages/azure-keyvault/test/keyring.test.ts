import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import {
  type EncryptedDataKey,
  KMS_CALL_CHANNEL,
  type KmsCallEvent,
  type NoDecryptableKeyError,
  type PolykmsError,
  Suites,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AzureKeyVaultDiscoveryKeyring,
  AzureKeyVaultKeyring,
  type AzureKeyVaultKeyringOptions,
  parseKeyId,
} from '../src/index.js';
import { type Vault, startVault } from './fixture.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { purpose: 'test' };
let vault: Vault;
let rsaKeyId: string; // without version
let rsaVersionedId: string;
let octKeyId: string;

beforeAll(async () => {
  vault = await startVault();
  const rsa = await vault.admin.createRsaKey('ring-rsa', { keySize: 2048 });
  rsaVersionedId = rsa.id!;
  rsaKeyId = `${vault.endpoint.vaultUrl}/keys/ring-rsa`;
  await vault.admin.createOctKey('ring-oct', { hsm: true, keySize: 256 });
  octKeyId = `${vault.endpoint.vaultUrl}/keys/ring-oct`;
});
beforeEach(() => vault.control.reset());
afterAll(() => vault.stop());

function keyring(
  keyId: string,
  options: Partial<AzureKeyVaultKeyringOptions> & { maxRetries?: number } = {},
) {
  const { maxRetries, ...rest } = options;
  return new AzureKeyVaultKeyring({
    keyId,
    credential: vault.endpoint.credential,
    clientOptions: vault.clientOptions(maxRetries),
    ...rest,
  });
}

/**
 * A keyring on the real client whose `operation` answers (`wrapkey` or `unwrapkey`) name
 * `answeredKid` as the key that did the work, rewritten in transit by a pipeline policy.
 */
function keyringAnsweringFor(keyId: string, operation: 'wrapkey' | 'unwrapkey', answeredKid: string) {
  const path = new RegExp(`/${operation}(\\?|$)`);
  return keyring(keyId, {
    clientOptions: {
      ...vault.clientOptions(0),
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'rewrite-kid',
            async sendRequest(request, next) {
              const response = await next(request);
              if (response.bodyAsText?.includes('"kid"') && path.test(new URL(request.url).pathname)) {
                response.bodyAsText = response.bodyAsText.replace(/"kid":"[^"]*"/, `"kid":"${answeredKid}"`);
              }
              return response;
            },
          },
        },
      ],
    },
  });
}

async function generate(k: AzureKeyVaultKeyring, s = suite) {
  return wrapDataKey(k, { suite: s, encryptionContext });
}

async function unwrapError(
  k: AzureKeyVaultKeyring | AzureKeyVaultDiscoveryKeyring,
  edks: readonly EncryptedDataKey[],
  signal?: AbortSignal,
) {
  const error = await unwrapDataKey(k, { suite, encryptionContext, encryptedDataKeys: edks, signal }).then(
    () => undefined,
    (e: unknown) => e as PolykmsError,
  );
  expect(error).toBeDefined();
  return error as PolykmsError;
}

/** The single failure inside a NoDecryptableKeyError. */
function onlyFailure(error: PolykmsError): PolykmsError & { operation?: string } {
  expect(error.code).toBe('ERR_NO_DECRYPTABLE_KEY');
  const { failures } = error as NoDecryptableKeyError;
  expect(failures).toHaveLength(1);
  return failures[0]!.error;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('AzureKeyVaultKeyring through the official client against the emulator', () => {
  it('generates a data key, wraps it with RSA-OAEP-256 and pins the key version in the EDK', async () => {
    const k = keyring(rsaKeyId);
    const { dataKey, encryptedDataKeys } = await generate(k);
    expect(dataKey).toHaveLength(32);
    expect(encryptedDataKeys).toHaveLength(1);
    const [edk] = encryptedDataKeys;
    expect(edk!.providerId).toBe('azure-kv');
    expect(text(edk!.providerInfo)).toBe(rsaVersionedId);
    expect(edk!.ciphertext).toHaveLength(256);
    const opened = await unwrapDataKey(k, { suite, encryptionContext, encryptedDataKeys });
    expect(Buffer.from(opened!.dataKey).equals(Buffer.from(dataKey))).toBe(true);
  });

  it('wraps a data key it is given without replacing it', async () => {
    const k = keyring(rsaKeyId);
    const given = randomBytes(32);
    const { dataKey, encryptedDataKeys } = await wrapDataKey(k, { suite, encryptionContext, dataKey: given });
    expect(dataKey).toBe(given);
    const opened = await unwrapDataKey(k, { suite, encryptionContext, encryptedDataKeys });
    expect(Buffer.from(opened!.dataKey).equals(given)).toBe(true);
  });

  it('wraps with A256KW for an oct-HSM key, learning the key type with one get', async () => {
    const k = keyring(octKeyId);
    const first = await generate(k);
    await generate(k);
    expect(vault.calls('get', 'ring-oct')).toBeGreaterThanOrEqual(1);
    const gets = vault.calls('get', 'ring-oct');
    await generate(k);
    expect(vault.calls('get', 'ring-oct')).toBe(gets);
    expect(first.encryptedDataKeys[0]!.ciphertext).toHaveLength(40);
    const opened = await unwrapDataKey(k, {
      suite,
      encryptionContext,
      encryptedDataKeys: first.encryptedDataKeys,
    });
    expect(Buffer.from(opened!.dataKey).equals(Buffer.from(first.dataKey))).toBe(true);
    const small = await generate(k, Suites.AES_128_GCM_IV12_TAG16_HKDF_SHA256);
    expect(small.encryptedDataKeys[0]!.ciphertext).toHaveLength(24);
  });

  it('skips EDKs of other keys and providers without a KMS call', async () => {
    const other = await vault.admin.createRsaKey('ring-other');
    const fromOther = await generate(keyring(other.id!));
    vault.control.reset();
    const foreign: EncryptedDataKey = {
      providerId: 'aws-kms',
      providerInfo: new Uint8Array([1]),
      ciphertext: new Uint8Array([2]),
    };
    const sameNameOtherVault: EncryptedDataKey = {
      providerId: 'azure-kv',
      providerInfo: new TextEncoder().encode(
        `https://elsewhere.vault.azure.net/keys/ring-rsa/${'a'.repeat(32)}`,
      ),
      ciphertext: new Uint8Array(256),
    };
    const result = await unwrapDataKey(keyring(rsaKeyId), {
      suite,
      encryptionContext,
      encryptedDataKeys: [...fromOther.encryptedDataKeys, foreign, sameNameOtherVault],
    });
    expect(result).toBeNull();
    expect(vault.control.calls({ cloud: 'azure' }).total).toBe(0);
  });

  it('matches its key whatever the case of scheme and name, and opens the first EDK that works', async () => {
    const k = keyring(`HTTPS://${new URL(rsaKeyId).host}/keys/RING-RSA`);
    const good = await generate(keyring(rsaKeyId));
    const bad: EncryptedDataKey = { ...good.encryptedDataKeys[0]!, ciphertext: randomBytes(256) };
    const opened = await unwrapDataKey(k, {
      suite,
      encryptionContext,
      encryptedDataKeys: [bad, ...good.encryptedDataKeys],
    });
    expect(Buffer.from(opened!.dataKey).equals(Buffer.from(good.dataKey))).toBe(true);
    expect(vault.calls('unwrapKey')).toBe(2);
  });

  it('reports a tampered EDK ciphertext as invalid ciphertext', async () => {
    const k = keyring(rsaKeyId, { maxRetries: 0 });
    const { encryptedDataKeys } = await generate(k);
    const edk = encryptedDataKeys[0]!;
    const ciphertext = Uint8Array.from(edk.ciphertext);
    ciphertext[100] = (ciphertext[100] ?? 0) ^ 1;
    const failure = onlyFailure(await unwrapError(k, [{ ...edk, ciphertext }]));
    expect(failure.code).toBe('ERR_INVALID_CIPHERTEXT');
    expect(failure.retryable).toBe(false);
    expect(failure.keyId).toBe(rsaVersionedId);
    const truncated = onlyFailure(
      await unwrapError(k, [{ ...edk, ciphertext: ciphertext.subarray(0, 100) }]),
    );
    expect(truncated.code).toBe('ERR_INVALID_CIPHERTEXT');
  });

  it('reports an EDK naming a version that does not exist as key not found', async () => {
    const k = keyring(rsaKeyId, { maxRetries: 0 });
    const { encryptedDataKeys } = await generate(k);
    const providerInfo = new TextEncoder().encode(`${rsaKeyId}/${'0'.repeat(32)}`);
    const failure = onlyFailure(await unwrapError(k, [{ ...encryptedDataKeys[0]!, providerInfo }]));
    expect(failure.code).toBe('ERR_KEY_NOT_FOUND');
  });

  it('rejects an unwrapped key of the wrong length for the suite', async () => {
    const k = keyring(rsaKeyId, { maxRetries: 0 });
    const small = await generate(k, Suites.AES_128_GCM_IV12_TAG16_HKDF_SHA256);
    const failure = onlyFailure(await unwrapError(k, small.encryptedDataKeys));
    expect(failure.code).toBe('ERR_INVALID_CIPHERTEXT');
  });

  it('reports a disabled key version as key disabled', async () => {
    const key = await vault.admin.createRsaKey('ring-disabled');
    const k = keyring(key.id!, { maxRetries: 0 });
    const { encryptedDataKeys } = await generate(k);
    await vault.admin.updateKeyProperties('ring-disabled', key.properties.version!, { enabled: false });
    const failure = onlyFailure(await unwrapError(k, encryptedDataKeys));
    expect(failure.code).toBe('ERR_KEY_DISABLED');
    await expect(generate(k)).rejects.toMatchObject({ code: 'ERR_KEY_DISABLED', operation: 'wrapKey' });
  });

  it('lets an encrypt-only identity encrypt, and fails its decrypt with access denied naming key and permission', async () => {
    const key = await vault.admin.createRsaKey('ring-encrypt-only');
    const keyId = `${vault.endpoint.vaultUrl}/keys/ring-encrypt-only`;
    vault.control.deny({ cloud: 'azure', operation: 'unwrapKey', keyId: 'ring-encrypt-only' });
    vault.control.deny({ cloud: 'azure', operation: 'get', keyId: 'ring-encrypt-only' });
    const k = keyring(keyId, { maxRetries: 0 });
    const { encryptedDataKeys } = await generate(k);
    expect(text(encryptedDataKeys[0]!.providerInfo)).toBe(key.id);
    const failure = onlyFailure(await unwrapError(k, encryptedDataKeys));
    expect(failure.code).toBe('ERR_ACCESS_DENIED');
    expect(failure.provider).toBe('azure-kv');
    expect(failure.keyId).toBe(key.id);
    expect(failure.message).toContain("'unwrapKey'");
    expect(failure.message).toContain(key.id);
    expect(failure.message).toContain('Key Vault Crypto User');
  });

  it('reports a denied wrapKey as access denied naming the wrapKey permission', async () => {
    vault.control.deny({ cloud: 'azure', operation: 'wrapKey', keyId: 'ring-rsa' });
    const error = await generate(keyring(rsaKeyId, { maxRetries: 0 })).then(
      () => undefined,
      (e: unknown) => e as PolykmsError,
    );
    expect(error).toMatchObject({ code: 'ERR_ACCESS_DENIED', keyId: rsaKeyId });
    expect(error?.message).toContain("'wrapKey'");
  });

  it('succeeds through throttling when the client retries, and reports throttling when it may not', async () => {
    const k = keyring(rsaKeyId);
    const { dataKey, encryptedDataKeys } = await generate(k);
    vault.control.injectFault({ cloud: 'azure', kind: 'throttle', operation: 'unwrapKey', count: 2 });
    const opened = await unwrapDataKey(k, { suite, encryptionContext, encryptedDataKeys });
    expect(Buffer.from(opened!.dataKey).equals(Buffer.from(dataKey))).toBe(true);
    expect(vault.calls('unwrapKey')).toBe(3);

    vault.control.injectFault({ cloud: 'azure', kind: 'throttle', operation: 'unwrapKey', count: 1 });
    const error = await unwrapError(keyring(rsaKeyId, { maxRetries: 0 }), encryptedDataKeys);
    const failure = onlyFailure(error);
    expect(failure).toMatchObject({ code: 'ERR_THROTTLED', retryable: true });
    expect(error.retryable).toBe(true);
  });

  it('reports 503 and dropped connections as unavailable', async () => {
    const k = keyring(rsaKeyId, { maxRetries: 0 });
    const { encryptedDataKeys } = await generate(k);
    vault.control.injectFault({ cloud: 'azure', kind: 'unavailable', operation: 'unwrapKey', count: 1 });
    expect(onlyFailure(await unwrapError(k, encryptedDataKeys))).toMatchObject({
      code: 'ERR_UNAVAILABLE',
      retryable: true,
    });
    vault.control.injectFault({ cloud: 'azure', kind: 'drop', operation: 'wrapKey', count: 1 });
    await expect(generate(k)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', retryable: true });
  });

  it('refuses a timeoutMs that is not a positive integer, in both keyrings', () => {
    for (const timeoutMs of [0, -5, 1.5, Number.NaN]) {
      expect(
        () =>
          new AzureKeyVaultKeyring({
            keyId: `${vault.endpoint.vaultUrl.replace(/\/$/, '')}/keys/any`,
            credential: vault.endpoint.credential,
            timeoutMs,
          }),
      ).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARGUMENT',
          message: expect.stringContaining('timeoutMs'),
        }),
      );
      expect(
        () =>
          new AzureKeyVaultDiscoveryKeyring({
            discoveryFilter: { vaultHosts: [new URL(vault.endpoint.vaultUrl).host] },
            credential: vault.endpoint.credential,
            timeoutMs,
          }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });

  it('gives up after timeoutMs with a retryable timeout', async () => {
    const k = keyring(rsaKeyId, { maxRetries: 0, timeoutMs: 100 });
    const { encryptedDataKeys } = await generate(k);
    vault.control.injectFault({
      cloud: 'azure',
      kind: 'latency',
      latencyMs: 3000,
      operation: 'unwrapKey',
      count: 1,
    });
    expect(onlyFailure(await unwrapError(k, encryptedDataKeys))).toMatchObject({
      code: 'ERR_TIMEOUT',
      retryable: true,
    });
  });

  it('stops at once when the caller aborts', async () => {
    const k = keyring(rsaKeyId, { maxRetries: 0 });
    const { encryptedDataKeys } = await generate(k);
    vault.control.injectFault({
      cloud: 'azure',
      kind: 'latency',
      latencyMs: 3000,
      operation: 'unwrapKey',
      count: 1,
    });
    const controller = new AbortController();
    const pending = unwrapError(k, encryptedDataKeys, controller.signal);
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ code: 'ERR_CANCELLED' });
    const aborted = AbortSignal.abort();
    await expect(wrapDataKey(k, { suite, encryptionContext, signal: aborted })).rejects.toMatchObject({
      code: 'ERR_CANCELLED',
    });
  });

  it('keeps opening EDKs written before a rotation, because the version is pinned', async () => {
    await vault.admin.createRsaKey('ring-rotating');
    const k = keyring(`${vault.endpoint.vaultUrl}/keys/ring-rotating`);
    const before = await generate(k);
    const rotated = await vault.admin.rotateKey('ring-rotating');
    const after = await generate(k);
    expect(text(after.encryptedDataKeys[0]!.providerInfo)).toBe(rotated.id);
    expect(text(before.encryptedDataKeys[0]!.providerInfo)).not.toBe(rotated.id);
    for (const written of [before, after]) {
      const opened = await unwrapDataKey(k, {
        suite,
        encryptionContext,
        encryptedDataKeys: written.encryptedDataKeys,
      });
      expect(Buffer.from(opened!.dataKey).equals(Buffer.from(written.dataKey))).toBe(true);
    }
  });

  it('wraps with exactly the version it was given, even after a rotation', async () => {
    const key = await vault.admin.createRsaKey('ring-pinned');
    await vault.admin.rotateKey('ring-pinned');
    const { encryptedDataKeys } = await generate(keyring(key.id!));
    expect(text(encryptedDataKeys[0]!.providerInfo)).toBe(key.id);
  });

  it('refuses an answer from the vault that names another key version (confused deputy)', async () => {
    const lying = keyringAnsweringFor(rsaKeyId, 'unwrapkey', `${rsaKeyId}/${'b'.repeat(32)}`);
    const { encryptedDataKeys } = await generate(keyring(rsaKeyId));
    const failure = onlyFailure(await unwrapError(lying, encryptedDataKeys));
    expect(failure.code).toBe('ERR_PROVIDER_FAILURE');
    expect(failure.message).toContain('b'.repeat(32));
  });

  it('refuses a wrapKey answer that names another key of the same vault, and returns no EDK', async () => {
    const version = parseKeyId(rsaVersionedId)!.version!;
    const otherKid = `${vault.endpoint.vaultUrl}/keys/ring-other/${version}`;
    // Unpinned: any version of ring-rsa would do, so only the key name can tell the answers apart.
    // Pinned: the answer even carries the pinned version, under another key's name.
    for (const keyId of [rsaKeyId, rsaVersionedId]) {
      const lying = keyringAnsweringFor(keyId, 'wrapkey', otherKid);
      for (const dataKey of [undefined, randomBytes(32)]) {
        const error = await wrapDataKey(lying, { suite, encryptionContext, dataKey }).then(
          () => undefined,
          (e: unknown) => e as PolykmsError,
        );
        expect(error).toMatchObject({ code: 'ERR_PROVIDER_FAILURE', provider: 'azure-kv' });
        expect(error?.message).toContain('ring-other');
      }
    }
    expect(vault.calls('wrapKey', 'ring-rsa')).toBe(4);
  });

  it('publishes every call on the diagnostics channel without secrets', async () => {
    const events: KmsCallEvent[] = [];
    const listener = (event: unknown) => events.push(event as KmsCallEvent);
    subscribe(KMS_CALL_CHANNEL, listener);
    try {
      const k = keyring(rsaKeyId, { maxRetries: 0 });
      const { dataKey, encryptedDataKeys } = await generate(k);
      await unwrapDataKey(k, { suite, encryptionContext, encryptedDataKeys });
      vault.control.deny({ cloud: 'azure', operation: 'unwrapKey', keyId: 'ring-rsa' });
      await unwrapError(k, encryptedDataKeys);
      const ours = events.filter((e) => e.provider === 'azure-kv');
      expect(ours.map((e) => [e.operation, e.outcome, e.errorCode])).toEqual(
        expect.arrayContaining([
          ['wrapKey', 'success', undefined],
          ['unwrapKey', 'success', undefined],
          ['unwrapKey', 'error', 'ERR_ACCESS_DENIED'],
        ]),
      );
      const serialized = JSON.stringify(ours);
      for (const secret of [
        Buffer.from(dataKey).toString('hex'),
        Buffer.from(dataKey).toString('base64'),
        Buffer.from(encryptedDataKeys[0]!.ciphertext).toString('base64'),
      ]) {
        expect(serialized).not.toContain(secret);
      }
      expect(Object.keys(ours[0]!).sort()).toEqual([
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

  it('rejects a key id that is not a Key Vault key id', () => {
    for (const keyId of [
      '',
      'ring-rsa',
      'http://vault/keys/x',
      'https://vault/secrets/x',
      'https://vault/keys/bad_name',
      'https://vault/keys/x?y=1',
    ]) {
      expect(() => keyring(keyId), keyId).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
    expect(() => keyring(rsaKeyId, { wrapAlgorithm: 'RSA1_5' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('uses DefaultAzureCredential when no credential is given', async () => {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AZURE_') || name.startsWith('MSI_') || name.startsWith('IDENTITY_'))
        delete process.env[name];
    }
    process.env.IDENTITY_ENDPOINT = vault.endpoint.identityEndpoint;
    process.env.IDENTITY_HEADER = vault.endpoint.identityHeader;
    try {
      const k = new AzureKeyVaultKeyring({ keyId: rsaKeyId, clientOptions: vault.clientOptions() });
      const { dataKey, encryptedDataKeys } = await generate(k);
      const opened = await unwrapDataKey(k, { suite, encryptionContext, encryptedDataKeys });
      expect(Buffer.from(opened!.dataKey).equals(Buffer.from(dataKey))).toBe(true);
    } finally {
      process.env = saved;
    }
  });
});

describe('AzureKeyVaultDiscoveryKeyring', () => {
  const host = () => new URL(vault.endpoint.vaultUrl).host;

  it('opens EDKs of any key in an allowed vault', async () => {
    const rsa = await generate(keyring(rsaKeyId));
    const oct = await generate(keyring(octKeyId));
    const discovery = new AzureKeyVaultDiscoveryKeyring({
      discoveryFilter: { vaultHosts: [host().toUpperCase()] },
      credential: vault.endpoint.credential,
      clientOptions: vault.clientOptions(0),
    });
    for (const written of [rsa, oct]) {
      const opened = await unwrapDataKey(discovery, {
        suite,
        encryptionContext,
        encryptedDataKeys: written.encryptedDataKeys,
      });
      expect(Buffer.from(opened!.dataKey).equals(Buffer.from(written.dataKey))).toBe(true);
    }
  });

  it('skips EDKs from vaults outside the filter without a call', async () => {
    const written = await generate(keyring(rsaKeyId));
    vault.control.reset();
    const discovery = new AzureKeyVaultDiscoveryKeyring({
      discoveryFilter: { vaultHosts: ['other.vault.azure.net'] },
      credential: vault.endpoint.credential,
      clientOptions: vault.clientOptions(0),
    });
    expect(
      await unwrapDataKey(discovery, {
        suite,
        encryptionContext,
        encryptedDataKeys: written.encryptedDataKeys,
      }),
    ).toBeNull();
    expect(vault.control.calls({ cloud: 'azure' }).total).toBe(0);
  });

  it('refuses to encrypt with ERR_INVALID_ARGUMENT naming the strict keyring, and needs a non-empty filter', async () => {
    const discovery = new AzureKeyVaultDiscoveryKeyring({
      discoveryFilter: { vaultHosts: [host()] },
      credential: vault.endpoint.credential,
    });
    await expect(generate(discovery as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      provider: 'azure-kv',
      message: expect.stringContaining(
        'a discovery keyring cannot encrypt: use AzureKeyVaultKeyring with a key id',
      ),
    });
    expect(() => new AzureKeyVaultDiscoveryKeyring({ discoveryFilter: { vaultHosts: [] } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  const discoveryOf = (vaultHosts: string[]) =>
    new AzureKeyVaultDiscoveryKeyring({
      discoveryFilter: { vaultHosts },
      credential: vault.endpoint.credential,
    });

  it('refuses a filter entry that is more than a host, naming the entry, instead of reading a host out of it', () => {
    for (const entry of [
      'evil.example#.vault.azure.net',
      'x@evil.example',
      'user:pass@myvault.vault.azure.net',
      'myvault.vault.azure.net/keys/only-this-key',
      'myvault.vault.azure.net/',
      'myvault.vault.azure.net?tenant=a',
      'myvault.vault.azure.net\\x',
      'https://myvault.vault.azure.net',
      'myvault.vault.azure.net:',
      'myvault.vault.azure.net:0443',
      'my vault.vault.azure.net',
      'ev%69l.example',
    ]) {
      expect(() => discoveryOf(['ok.vault.azure.net', entry]), entry).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARGUMENT',
          provider: 'azure-kv',
          message: expect.stringContaining(`entry ${JSON.stringify(entry)} is not a vault host`),
        }),
      );
    }
  });

  it('accepts a host in any case, with a port other than 443, or with :443, as key ids normalise it', () => {
    expect(
      discoveryOf(['MyVault.vault.azure.net', 'host:8443', 'other.vault.azure.net:443', '[::1]:8443'])
        .description,
    ).toBe('azure-kv discovery (myvault.vault.azure.net, host:8443, other.vault.azure.net, [::1]:8443)');
    // An internationalised name in Unicode matches the punycode host of the key ids that name it.
    const idn = discoveryOf(['Bücher.Vault.Azure.net']);
    const keyHost = parseKeyId('https://bücher.vault.azure.net/keys/k')!.host;
    expect(keyHost).toBe('xn--bcher-kva.vault.azure.net');
    expect(idn.description).toBe(`azure-kv discovery (${keyHost})`);
  });
});
