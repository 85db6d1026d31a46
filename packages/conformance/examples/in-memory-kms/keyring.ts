import { InvalidArgumentError, KmsKeyring, type RetryOptions } from '@polykms/envelope/driver';
import { InMemoryKmsDriver } from './driver.js';
import { PROVIDER_ID } from './error-table.js';
import type { KeyReference } from './key-reference.js';
import type { InMemoryKmsClient } from './service.js';

export interface InMemoryKmsKeyringOptions {
  readonly client: InMemoryKmsClient;
  /** Strict mode: wrap under this key and unwrap only its EDKs (any version). */
  readonly keyId?: string | undefined;
  /** Discovery mode: unwrap any EDK whose key belongs to one of these accounts; never wraps. */
  readonly discovery?: { readonly accounts: readonly string[] } | undefined;
  /** Deadline per KMS call, retries excluded. */
  readonly timeoutMs?: number | undefined;
  /** Default: 3 attempts, backoff from 50 ms. */
  readonly retry?: RetryOptions | undefined;
}

const DEFAULT_RETRY = { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 2000 };

function keyringOptions(options: InMemoryKmsKeyringOptions) {
  const { keyId, discovery } = options;
  if ((keyId === undefined) === (discovery === undefined)) {
    throw new InvalidArgumentError('give either keyId (strict mode) or discovery (discovery mode), not both');
  }
  const common = {
    driver: new InMemoryKmsDriver(options.client),
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    retryDefaults: DEFAULT_RETRY,
  };
  if (keyId !== undefined) {
    const ofThisKey = (key: KeyReference) => key.keyId === keyId;
    return { ...common, policy: { mode: 'strict' as const, keyId, sealedWith: ofThisKey, opens: ofThisKey } };
  }
  const accounts = new Set(discovery?.accounts);
  return {
    ...common,
    description: `${PROVIDER_ID} discovery(${[...accounts].join(', ')})`,
    policy: {
      mode: 'discovery' as const,
      strictKeyring: 'InMemoryKmsKeyring with a keyId',
      admits: (key: KeyReference) => accounts.has(key.account),
    },
  };
}

/**
 * The worked example of a polykms adapter: the portable `KmsKeyring` over the in-memory KMS's
 * driver. The driver says how to call the KMS and what its names and errors mean; the keyring
 * does everything else, exactly as it does for the cloud providers.
 */
export class InMemoryKmsKeyring extends KmsKeyring<KeyReference> {
  constructor(options: InMemoryKmsKeyringOptions) {
    super(keyringOptions(options));
  }
}
