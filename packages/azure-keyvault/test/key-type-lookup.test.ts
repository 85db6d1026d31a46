import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  KMS_CALL_CHANNEL,
  type KmsCallEvent,
  type PolykmsError,
  Suites,
  wrapDataKey,
} from '@polykms/envelope';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AzureKeyVaultKeyring } from '../src/index.js';
import { type Vault, startVault } from './fixture.js';

/*
 * Without `wrapAlgorithm`, the keyring looks the key type up once (Key Vault `get`) and every
 * concurrent wrap waits for that one lookup. These tests slow the lookup down with the emulator's
 * latency fault and tell "before" from "after" by the lookup's end event on the diagnostics
 * channel, never by the clock. The first `get` the vault sees is the lookup: the client's own
 * `get` comes with the wrapKey after it.
 */

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { purpose: 'lookup' };
let vault: Vault;
let rsaKeyId: string;
let octKeyId: string;
/** Lookups ended, as published by the keyring (the vault's own count also has the client's get). */
let lookups: number;
const onKmsCall = (event: unknown) => {
  const e = event as KmsCallEvent;
  if (e.provider === 'azure-kv' && e.operation === 'get') lookups += 1;
};

beforeAll(async () => {
  vault = await startVault();
  await vault.admin.createRsaKey('lookup-rsa', { keySize: 2048 });
  rsaKeyId = `${vault.endpoint.vaultUrl}/keys/lookup-rsa`;
  await vault.admin.createOctKey('lookup-oct', { hsm: true, keySize: 256 });
  octKeyId = `${vault.endpoint.vaultUrl}/keys/lookup-oct`;
});
beforeEach(() => {
  vault.control.reset();
  lookups = 0;
  subscribe(KMS_CALL_CHANNEL, onKmsCall);
});
afterEach(() => unsubscribe(KMS_CALL_CHANNEL, onKmsCall));
afterAll(() => vault.stop());

function keyring(keyId: string) {
  return new AzureKeyVaultKeyring({
    keyId,
    credential: vault.endpoint.credential,
    clientOptions: vault.clientOptions(0),
  });
}

function wrap(k: AzureKeyVaultKeyring, signal?: AbortSignal) {
  return wrapDataKey(k, { suite, encryptionContext, signal });
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as PolykmsError,
  );

/** Starts the lookup behind a latency fault and returns once the vault holds it. */
async function slowLookupInFlight(keyName: string) {
  vault.control.injectFault({ cloud: 'azure', kind: 'latency', operation: 'get', latencyMs: 1000, count: 1 });
  return async () => {
    await vi.waitFor(() => expect(vault.calls('get', keyName)).toBe(1), { timeout: 10_000, interval: 5 });
    // Let the second caller reach its wait for the shared lookup.
    await new Promise((resolve) => setImmediate(resolve));
  };
}

describe('the shared key-type lookup of AzureKeyVaultKeyring', () => {
  it('stops a caller that aborts while the lookup is slow at once, and lets the lookup finish for the others', async () => {
    const k = keyring(rsaKeyId);
    const inFlight = await slowLookupInFlight('lookup-rsa');
    const first = wrap(k);
    await inFlight();
    const controller = new AbortController();
    const second = failure(wrap(k, controller.signal));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();

    expect(await second).toMatchObject({ code: 'ERR_CANCELLED', operation: 'wrapKey', keyId: rsaKeyId });
    expect(lookups).toBe(0);

    const { encryptedDataKeys } = await first;
    expect(encryptedDataKeys).toHaveLength(1);
    expect(lookups).toBe(1);
    expect(vault.calls('wrapKey', 'lookup-rsa')).toBe(1);
  });

  it('does not fail a caller waiting on the lookup when the caller that started it aborts', async () => {
    const k = keyring(octKeyId);
    const inFlight = await slowLookupInFlight('lookup-oct');
    const controller = new AbortController();
    const first = failure(wrap(k, controller.signal));
    await inFlight();
    const second = wrap(k, new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();

    expect(await first).toMatchObject({ code: 'ERR_CANCELLED', operation: 'wrapKey' });
    expect(lookups).toBe(0);

    const { encryptedDataKeys } = await second;
    // 40 bytes: A256KW, so the type really came from the lookup the first caller started.
    expect(encryptedDataKeys[0]!.ciphertext).toHaveLength(40);
    expect(lookups).toBe(1);
    expect(vault.calls('wrapKey', 'lookup-oct')).toBe(1);
  });

  it('does not keep a failed lookup: the next wrap looks the key type up again', async () => {
    const k = keyring(octKeyId);
    vault.control.injectFault({ cloud: 'azure', kind: 'unavailable', operation: 'get', count: 1 });
    expect(await failure(wrap(k))).toMatchObject({ code: 'ERR_UNAVAILABLE', operation: 'get' });
    const { encryptedDataKeys } = await wrap(k);
    expect(encryptedDataKeys[0]!.ciphertext).toHaveLength(40);
    expect(lookups).toBe(2);
  });
});
