import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import { expect } from 'vitest';
import { type AzureEndpoint, EmulatorControl, createAzureFrontEnd } from '../src/index.js';

/** The Azure front end on loopback, and official clients pointed at it. */
export interface AzureFixture {
  readonly control: EmulatorControl;
  readonly endpoint: AzureEndpoint;
  readonly keyClient: KeyClient;
  /** How many state changes were reported through `onChange`. */
  changes(): number;
  snapshot(): unknown;
  restore(state: unknown): void;
  cryptoClient(keyId: string, options?: { maxRetries?: number }): CryptographyClient;
  newKeyClient(options?: { maxRetries?: number }): KeyClient;
  stop(): Promise<void>;
}

export async function startAzure(options: { throttleRetryAfterMs?: number } = {}): Promise<AzureFixture> {
  const control = new EmulatorControl();
  let changes = 0;
  const frontEnd = createAzureFrontEnd({
    control,
    onChange: () => {
      changes += 1;
    },
    ...options,
  });
  const port = await frontEnd.listen('127.0.0.1', 0);
  const endpoint = frontEnd.endpoint('127.0.0.1', port);
  const clientOptions = (maxRetries?: number) => ({
    ...endpoint.clientOptions,
    ...(maxRetries === undefined ? {} : { retryOptions: { maxRetries } }),
  });
  return {
    control,
    endpoint,
    keyClient: new KeyClient(endpoint.vaultUrl, endpoint.credential, clientOptions()),
    changes: () => changes,
    snapshot: () => frontEnd.snapshot(),
    restore: (state) => frontEnd.restore(state),
    cryptoClient: (keyId, o = {}) =>
      new CryptographyClient(keyId, endpoint.credential, clientOptions(o.maxRetries)),
    newKeyClient: (o = {}) =>
      new KeyClient(endpoint.vaultUrl, endpoint.credential, clientOptions(o.maxRetries)),
    stop: () => frontEnd.close(),
  };
}

/** What the Azure client throws for an HTTP error (its RestError class is not exported at run time). */
export interface VaultRestError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details?: { error?: { code?: string; message?: string; innerError?: { code?: string } } };
  readonly response?: { headers: { get(name: string): string | undefined } };
}

/** Awaits a call that must fail with an HTTP error from the vault, and returns that error. */
export async function restError(promise: Promise<unknown>): Promise<VaultRestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe('RestError');
  return error as VaultRestError;
}
