import type { KeyManagementServiceClient } from '@google-cloud/kms';
import { KmsKeyring, discoveryFilterSet } from '@polykms/envelope/driver';
import { lazyClient } from './client.js';
import { type GcpKmsKey, GcpKmsDriver } from './driver.js';
import { PROVIDER_ID } from './errors.js';
import { DEFAULT_RETRY, type GcpRetryOptions } from './keyring.js';
import { isProjectId } from './names.js';

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

function keyringOptions(options: GcpKmsDiscoveryKeyringOptions) {
  const { projects: projectList, locations: locationList } = options?.discoveryFilter ?? {};
  const projects = discoveryFilterSet(projectList, {
    provider: PROVIDER_ID,
    field: 'discoveryFilter.projects',
    entry: 'project id',
    accepts: isProjectId,
  });
  const locations =
    locationList === undefined
      ? undefined
      : discoveryFilterSet(locationList, {
          provider: PROVIDER_ID,
          field: 'discoveryFilter.locations (when given)',
          entry: 'location',
        });
  return {
    driver: new GcpKmsDriver({ client: lazyClient(options.client), timeoutMs: options.timeoutMs }),
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    retryDefaults: DEFAULT_RETRY,
    description: `${PROVIDER_ID} discovery (projects ${[...projects].join(', ')}${locations ? `; locations ${[...locations].join(', ')}` : ''})`,
    policy: {
      mode: 'discovery' as const,
      strictKeyring: 'GcpKmsKeyring',
      admits: ({ cryptoKey }: GcpKmsKey) =>
        projects.has(cryptoKey.project) && (locations === undefined || locations.has(cryptoKey.location)),
    },
  };
}

/**
 * Decrypt-only: opens any `gcp-kms` EDK whose key lies in an allowed project (and location),
 * using the CryptoKey named in the EDK. Never encrypts.
 */
export class GcpKmsDiscoveryKeyring extends KmsKeyring<GcpKmsKey> {
  constructor(options: GcpKmsDiscoveryKeyringOptions) {
    super(keyringOptions(options));
  }
}
