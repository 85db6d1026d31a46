import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  InvalidArgumentError,
  KmsKeyring,
  type RetryOptions,
  type RetryPolicy,
} from '@polykms/envelope/driver';
import { lazyClient } from './client.js';
import { type GcpKmsKey, GcpKmsDriver } from './driver.js';
import { PROVIDER_ID } from './errors.js';
import { parseCryptoKeyName } from './names.js';

/** How a Cloud KMS keyring retries a throttled or unavailable call (or a failed CRC32C check). */
export type GcpRetryOptions = RetryOptions;

/** 4 attempts, backoff from 100 ms up to 2 s: the Google client's own retries are turned off. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 2000 };

export interface GcpKmsKeyringOptions {
  /** `projects/{p}/locations/{l}/keyRings/{r}/cryptoKeys/{k}` (a CryptoKey, not a version). */
  readonly keyName: string;
  /** A configured client; default: one made on first use with Application Default Credentials. */
  readonly client?: KeyManagementServiceClient | undefined;
  /** Deadline for each KMS call (each attempt) in milliseconds; default: the client's per-call timeout. */
  readonly timeoutMs?: number | undefined;
  /** Retries of throttled or unavailable calls; default 4 attempts, backoff from 100 ms up to 2 s. */
  readonly retry?: GcpRetryOptions | undefined;
}

function keyringOptions(options: GcpKmsKeyringOptions) {
  const keyName = options?.keyName;
  if (typeof keyName !== 'string' || !parseCryptoKeyName(keyName)) {
    throw new InvalidArgumentError(
      `GcpKmsKeyring needs a CryptoKey name projects/…/locations/…/keyRings/…/cryptoKeys/…, got "${String(keyName)}"`,
      { provider: PROVIDER_ID },
    );
  }
  const ofThisKey = (version: GcpKmsKey) => version.cryptoKey.name === keyName;
  return {
    driver: new GcpKmsDriver({ client: lazyClient(options.client), timeoutMs: options.timeoutMs }),
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    retryDefaults: DEFAULT_RETRY,
    policy: { mode: 'strict' as const, keyId: keyName, sealedWith: ofThisKey, opens: ofThisKey },
  };
}

/**
 * Wraps data keys with one Cloud KMS CryptoKey (its primary version) and unwraps only EDKs made
 * by a version of that same key (strict mode). The encryption context is the Encrypt/Decrypt AAD.
 */
export class GcpKmsKeyring extends KmsKeyring<GcpKmsKey> {
  readonly keyName: string;

  constructor(options: GcpKmsKeyringOptions) {
    super(keyringOptions(options));
    this.keyName = options.keyName;
  }
}
