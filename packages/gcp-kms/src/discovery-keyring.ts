import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  InvalidArgumentError,
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  UnsupportedError,
  type WrapResult,
} from '@polykms/envelope';
import { lazyClient } from './client.js';
import { PROVIDER_ID } from './errors.js';
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
  readonly timeoutMs?: number | undefined;
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

  constructor(options: GcpKmsDiscoveryKeyringOptions) {
    const { projects, locations } = options.discoveryFilter ?? {};
    if (
      !Array.isArray(projects) ||
      projects.length === 0 ||
      projects.some((p) => typeof p !== 'string' || !p)
    ) {
      throw new InvalidArgumentError(
        'GcpKmsDiscoveryKeyring needs discoveryFilter.projects: at least one project id',
      );
    }
    if (locations !== undefined && (!Array.isArray(locations) || locations.length === 0)) {
      throw new InvalidArgumentError(
        'discoveryFilter.locations, when given, must list at least one location',
      );
    }
    this.#projects = new Set(projects);
    this.#locations = locations === undefined ? undefined : new Set(locations);
    this.description = `${PROVIDER_ID} discovery (projects ${projects.join(', ')}${locations ? `; locations ${locations.join(', ')}` : ''})`;
    this.#client = lazyClient(options.client);
    this.#timeoutMs = options.timeoutMs;
  }

  async wrap(): Promise<WrapResult> {
    throw new UnsupportedError(
      'a Google Cloud KMS discovery keyring only decrypts; give it a key name to encrypt',
    );
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    return unwrapMatching(request, { client: this.#client, timeoutMs: this.#timeoutMs }, ({ cryptoKey }) => {
      if (!this.#projects.has(cryptoKey.project)) return false;
      return this.#locations === undefined || this.#locations.has(cryptoKey.location);
    });
  }
}
