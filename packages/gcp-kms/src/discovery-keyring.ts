import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapResult,
  checkTimeoutMs,
  discoveryCannotEncrypt,
  discoveryFilterSet,
} from '@polykms/envelope';
import { lazyClient } from './client.js';
import { PROVIDER_ID } from './errors.js';
import { type GcpRetryOptions, type RetryPolicy, retryPolicy } from './retry.js';
import { unwrapMatching } from './unwrap-matching.js';

export interface GcpDiscoveryFilter {
  /** Project ids whose keys may be used (at least one). */
  readonly projects: readonly string[];
  /** Locations (`global`, `europe-west1`, …) whose keys may be used; default: any. */
  readonly locations?: readonly string[] | undefined;
}

export interface GcpKmsDiscoveryKeyringOptions {
  readonly discoveryFilter: GcpDiscoveryFilter;
  readonly client?: KeyManagementServiceClient | undefined;
  /** As for GcpKmsKeyring. */
  readonly timeoutMs?: number | undefined;
  /** As for GcpKmsKeyring. */
  readonly retry?: GcpRetryOptions | undefined;
}

/**
 * Decrypt-only: opens any `gcp-kms` EDK whose key lies in an allowed project (and location),
 * using the CryptoKey named in the EDK. Never encrypts.
 */
export class GcpKmsDiscoveryKeyring implements Keyring {
  readonly description: string;
  readonly #projects: ReadonlySet<string>;
  readonly #locations: ReadonlySet<string> | undefined;
  readonly #client: () => KeyManagementServiceClient;
  readonly #timeoutMs: number | undefined;
  readonly #retry: RetryPolicy;

  constructor(options: GcpKmsDiscoveryKeyringOptions) {
    const { projects, locations } = options?.discoveryFilter ?? {};
    this.#projects = discoveryFilterSet(projects, {
      provider: PROVIDER_ID,
      field: 'discoveryFilter.projects',
      entry: 'project id',
    });
    this.#locations =
      locations === undefined
        ? undefined
        : discoveryFilterSet(locations, {
            provider: PROVIDER_ID,
            field: 'discoveryFilter.locations (when given)',
            entry: 'location',
          });
    checkTimeoutMs(options.timeoutMs, PROVIDER_ID);
    this.#retry = retryPolicy(options.retry);
    this.description = `${PROVIDER_ID} discovery (projects ${[...this.#projects].join(', ')}${this.#locations ? `; locations ${[...this.#locations].join(', ')}` : ''})`;
    this.#client = lazyClient(options.client);
    this.#timeoutMs = options.timeoutMs;
  }

  async wrap(): Promise<WrapResult> {
    throw discoveryCannotEncrypt(PROVIDER_ID, this.description, 'GcpKmsKeyring');
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    return unwrapMatching(
      request,
      { client: this.#client, timeoutMs: this.#timeoutMs, retry: this.#retry },
      ({ cryptoKey }) => {
        if (!this.#projects.has(cryptoKey.project)) return false;
        return this.#locations === undefined || this.#locations.has(cryptoKey.location);
      },
    );
  }
}
