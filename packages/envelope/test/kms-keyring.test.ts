import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type EncryptedDataKey,
  KmsError,
  type PolykmsError,
  Suites,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import {
  type KmsDriver,
  type KmsKey,
  KmsKeyring,
  MAX_KMS_KEY_NAME_BYTES,
  type OpenAnswer,
  type OpenCall,
  type SealAnswer,
  type SealCall,
} from '@polykms/envelope/driver';
import { describe, expect, it } from 'vitest';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { app: 'test' };
const KEY_ID = 'test:key-1';

/**
 * A KMS in a few lines (AES-256-GCM under one key) whose answers a test can spoil, to pin what
 * KmsKeyring does with each kind of wrong answer. It is the portable keyring under test here, not
 * a cloud SDK: the cloud drivers are tested through their official clients against the emulator.
 */
class ScriptedDriver implements KmsDriver<KmsKey> {
  readonly providerId = 'test-kms';
  readonly operations = { seal: 'Encrypt', open: 'Decrypt', openNamesKey: true } as const;
  readonly #key = randomBytes(32);
  opens = 0;
  sealed: Uint8Array[] = [];
  spoilSeal: ((answer: SealAnswer) => SealAnswer) | undefined;
  spoilOpen: ((answer: OpenAnswer) => OpenAnswer) | undefined;
  openDelayMs = 0;
  failOpens: PolykmsError[] = [];
  answered: Uint8Array[] = [];

  keyOf(providerInfo: string): KmsKey | undefined {
    return providerInfo.startsWith('test:') ? { id: providerInfo } : undefined;
  }

  async seal(call: SealCall): Promise<SealAnswer> {
    this.sealed.push(call.dataKey);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const ciphertext = Buffer.concat([iv, cipher.update(call.dataKey), cipher.final(), cipher.getAuthTag()]);
    const answer = { ciphertext, keyUsed: call.keyId };
    return this.spoilSeal ? this.spoilSeal(answer) : answer;
  }

  async open(call: OpenCall<KmsKey>): Promise<OpenAnswer> {
    this.opens += 1;
    const failure = this.failOpens.shift();
    if (failure) throw failure;
    if (this.openDelayMs > 0) await sleep(this.openDelayMs);
    const blob = Buffer.from(call.ciphertext);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, blob.subarray(0, 12));
    decipher.setAuthTag(blob.subarray(blob.length - 16));
    const dataKey = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
    const answer = this.spoilOpen
      ? this.spoilOpen({ dataKey, keyUsed: call.key.id })
      : { dataKey, keyUsed: call.key.id };
    if (answer.dataKey) this.answered.push(answer.dataKey);
    return answer;
  }

  mapError(error: unknown, context: { operation: string; keyId: string | undefined }): PolykmsError {
    return new KmsError({
      code: 'ERR_PROVIDER_FAILURE',
      provider: this.providerId,
      ...context,
      cause: error,
    });
  }
}

const strict = (
  driver: ScriptedDriver,
  extra: { retry?: { maxAttempts: number; initialDelayMs: number } } = {},
) =>
  new KmsKeyring({
    driver,
    policy: {
      mode: 'strict',
      keyId: KEY_ID,
      sealedWith: (k) => k.id === KEY_ID,
      opens: (k) => k.id === KEY_ID,
    },
    ...extra,
  });

/** What an unwrap that tried this keyring's one EDK and failed rejects with. */
const failedWith = (error: object) => ({
  code: 'ERR_NO_DECRYPTABLE_KEY',
  failures: [{ error: expect.objectContaining(error) }],
});

const isZeroed = (bytes: Uint8Array) => bytes.every((b) => b === 0);

describe('KmsKeyring', () => {
  it('opens an accepted EDK with the key openWith names, and holds the answer to that key', async () => {
    const driver = new ScriptedDriver();
    const { encryptedDataKeys } = await wrapDataKey(strict(driver), { suite, encryptionContext });
    const calledWith: string[] = [];
    const original = driver.open.bind(driver);
    driver.open = (call) => {
      calledWith.push(call.key.id);
      return original(call);
    };
    const viaReplica = new KmsKeyring({
      driver,
      policy: {
        mode: 'strict',
        keyId: 'test:replica',
        sealedWith: (k) => k.id === 'test:replica',
        opens: (k) => k.id === KEY_ID,
        openWith: () => ({ id: 'test:replica' }),
      },
    });
    const request = { suite, encryptionContext, encryptedDataKeys };
    expect(await unwrapDataKey(viaReplica, request)).not.toBeNull();
    expect(calledWith).toEqual(['test:replica']);

    // An answer for the key the EDK names, not the one asked for, is refused.
    driver.spoilOpen = (answer) => ({ ...answer, keyUsed: KEY_ID });
    await expect(unwrapDataKey(viaReplica, request)).rejects.toMatchObject(
      failedWith({ code: 'ERR_PROVIDER_FAILURE', keyId: 'test:replica' }),
    );
  });

  it('round-trips a data key it generated, naming the key the KMS used in the provider info', async () => {
    const driver = new ScriptedDriver();
    const keyring = strict(driver);
    const { dataKey, encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext });
    const edk = encryptedDataKeys[0] as EncryptedDataKey;
    expect(new TextDecoder().decode(edk.providerInfo)).toBe(KEY_ID);
    const opened = await unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys });
    expect(Buffer.from(opened!.dataKey).equals(Buffer.from(dataKey))).toBe(true);
  });

  it('fails an opened data key of the wrong length with ERR_INVALID_CIPHERTEXT and zeroes it', async () => {
    const driver = new ScriptedDriver();
    const keyring = strict(driver);
    const { encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext });
    driver.spoilOpen = (answer) => ({ ...answer, dataKey: randomBytes(16) });
    await expect(
      unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys }),
    ).rejects.toMatchObject(
      failedWith({ code: 'ERR_INVALID_CIPHERTEXT', retryable: false, provider: 'test-kms' }),
    );
    expect(isZeroed(driver.answered[0]!)).toBe(true);
  });

  it('refuses an open answer naming another key with ERR_PROVIDER_FAILURE and zeroes its data key', async () => {
    const driver = new ScriptedDriver();
    const keyring = strict(driver);
    const { encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext });
    driver.spoilOpen = (answer) => ({ ...answer, keyUsed: 'test:key-2' });
    await expect(
      unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys }),
    ).rejects.toMatchObject(failedWith({ code: 'ERR_PROVIDER_FAILURE', retryable: false }));
    expect(isZeroed(driver.answered[0]!)).toBe(true);
  });

  it('refuses a seal answer from another key and zeroes the data key it generated', async () => {
    const driver = new ScriptedDriver();
    driver.spoilSeal = (answer) => ({ ...answer, keyUsed: 'test:key-2' });
    await expect(wrapDataKey(strict(driver), { suite, encryptionContext })).rejects.toMatchObject({
      code: 'ERR_PROVIDER_FAILURE',
    });
    expect(driver.sealed).toHaveLength(1);
    expect(isZeroed(driver.sealed[0]!)).toBe(true);
  });

  it('zeroes a data key that arrives after the caller aborted', async () => {
    const driver = new ScriptedDriver();
    const keyring = strict(driver);
    const { encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext });
    driver.openDelayMs = 100;
    const signal = AbortSignal.timeout(10);
    await expect(
      unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys, signal }),
    ).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    await sleep(200);
    expect(driver.answered).toHaveLength(1);
    expect(isZeroed(driver.answered[0]!)).toBe(true);
  });

  it('retries a throttled call as its policy allows, and not by default', async () => {
    const throttled = () =>
      new KmsError({ code: 'ERR_THROTTLED', provider: 'test-kms', operation: 'Decrypt', keyId: KEY_ID });
    const driver = new ScriptedDriver();
    const retrying = strict(driver, { retry: { maxAttempts: 2, initialDelayMs: 1 } });
    const { encryptedDataKeys } = await wrapDataKey(retrying, { suite, encryptionContext });
    driver.failOpens = [throttled()];
    expect(await unwrapDataKey(retrying, { suite, encryptionContext, encryptedDataKeys })).not.toBeNull();
    expect(driver.opens).toBe(2);
    driver.failOpens = [throttled()];
    await expect(
      unwrapDataKey(strict(driver), { suite, encryptionContext, encryptedDataKeys }),
    ).rejects.toMatchObject(failedWith({ code: 'ERR_THROTTLED', retryable: true }));
    expect(driver.opens).toBe(3);
  });

  it('skips, without a KMS call, EDKs of other providers, other keys and over-long provider info', async () => {
    const driver = new ScriptedDriver();
    const edk = (providerId: string, info: string): EncryptedDataKey => ({
      providerId,
      providerInfo: new TextEncoder().encode(info),
      ciphertext: randomBytes(60),
    });
    const encryptedDataKeys = [
      edk('other-kms', KEY_ID),
      edk('test-kms', 'test:key-2'),
      edk('test-kms', `test:${'x'.repeat(MAX_KMS_KEY_NAME_BYTES)}`),
    ];
    expect(await unwrapDataKey(strict(driver), { suite, encryptionContext, encryptedDataKeys })).toBeNull();
    expect(driver.opens).toBe(0);
  });

  it('as a discovery keyring, refuses to wrap with ERR_INVALID_ARGUMENT naming the strict keyring', async () => {
    const keyring = new KmsKeyring({
      driver: new ScriptedDriver(),
      description: 'test-kms discovery',
      policy: { mode: 'discovery', admits: () => true, strictKeyring: 'TestKeyring' },
    });
    await expect(wrapDataKey(keyring, { suite, encryptionContext })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('TestKeyring'),
    });
  });
});
