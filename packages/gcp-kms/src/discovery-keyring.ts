import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  InvalidArgumentError,
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  UnsupportedError,
  type WrapResult,
  serializeEncryptionContext,
  unwrapFirst,
} from '@polykms/envelope';
import { lazyClient } from './client.js';
import { PROVIDER_ID } from './errors.js';
import { decryptWithKms } from './kms-operations.js';
import { versionNameFromProviderInfo } from './names.js';

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
    const aad = serializeEncryptionContext(request.encryptionContext);
    const allowedKey = (providerInfo: Uint8Array) => {
      const version = versionNameFromProviderInfo(providerInfo);
      if (!version) return undefined;
      const { project, location } = version.cryptoKey;
      if (!this.#projects.has(project)) return undefined;
      if (this.#locations && !this.#locations.has(location)) return undefined;
      return version.cryptoKey.name;
    };
    return unwrapFirst(
      request.encryptedDataKeys,
      (edk) => edk.providerId === PROVIDER_ID && allowedKey(edk.providerInfo) !== undefined,
      (edk) =>
        decryptWithKms(
          this.#client(),
          allowedKey(edk.providerInfo) as string,
          edk.ciphertext,
          aad,
          request.suite.keyLength,
          { signal: request.signal, timeoutMs: this.#timeoutMs },
        ),
      (edk) => `${PROVIDER_ID} ${versionNameFromProviderInfo(edk.providerInfo)?.name ?? 'unknown key'}`,
    );
  }
}
