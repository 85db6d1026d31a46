import { InvalidArgumentError, KmsKeyring, discoveryFilterSet } from '@polykms/envelope/driver';
import { arnInRegion, isMultiRegionKey } from './arn.js';
import { type ClientProvider, defaultClientProvider } from './client-provider.js';
import { type AwsKmsKey, AwsKmsDriver } from './driver.js';
import { checkGrantTokens } from './keyring.js';
import { KNOWN_PARTITIONS, regionInPartition } from './partitions.js';
import { PROVIDER_ID } from './provider.js';

export interface DiscoveryFilter {
  /** `aws`, `aws-cn`, `aws-us-gov`, … */
  readonly partition: string;
  /** The accounts whose keys may be used; at least one. */
  readonly accountIds: readonly string[];
}

export interface AwsKmsDiscoveryKeyringOptions {
  readonly discoveryFilter: DiscoveryFilter;
  readonly clientProvider?: ClientProvider | undefined;
  readonly grantTokens?: readonly string[] | undefined;
  readonly timeoutMs?: number | undefined;
}

const ACCOUNT = /^\d{12}$/;

/**
 * The KmsKeyring options of a discovery keyring. With `region` (AwsKmsMrkDiscoveryKeyring) every
 * call goes to that region: a multi-Region key's EDK is opened with its replica there, and any
 * other EDK only when its key is in that region.
 */
export function discoveryKeyringOptions(options: AwsKmsDiscoveryKeyringOptions, region?: string) {
  const filter = options?.discoveryFilter;
  if (typeof filter?.partition !== 'string' || !KNOWN_PARTITIONS.includes(filter.partition)) {
    throw new InvalidArgumentError(
      `AwsKmsDiscoveryKeyring needs discoveryFilter: { partition (one of ${KNOWN_PARTITIONS.join(', ')}), accountIds: [12-digit account ids, at least one] }`,
      { provider: PROVIDER_ID },
    );
  }
  const accounts = discoveryFilterSet(filter.accountIds, {
    provider: PROVIDER_ID,
    field: 'discoveryFilter.accountIds',
    entry: '12-digit account id',
    accepts: (id) => ACCOUNT.test(id),
  });
  checkGrantTokens(options.grantTokens);
  const clients = options.clientProvider ?? defaultClientProvider();
  const { partition } = filter;
  if (region !== undefined && (typeof region !== 'string' || !regionInPartition(region, partition))) {
    throw new InvalidArgumentError(
      `AwsKmsMrkDiscoveryKeyring needs region: a region of partition ${partition} (e.g. us-east-1), where it calls KMS`,
      { provider: PROVIDER_ID },
    );
  }
  const inRegion = (key: AwsKmsKey) => region === undefined || key.region === region || isMultiRegionKey(key);
  return {
    driver: new AwsKmsDriver({
      // Discovery only decrypts, and always in the region of the key the EDK names.
      clientFor: (region: string | undefined) => clients(region as string),
      grantTokens: options.grantTokens,
    }),
    timeoutMs: options.timeoutMs,
    description: `${PROVIDER_ID} discovery (${partition}: ${[...accounts].join(', ')}${region === undefined ? '' : `; multi-Region keys via ${region}`})`,
    policy: {
      mode: 'discovery' as const,
      strictKeyring: region === undefined ? 'AwsKmsKeyring' : 'AwsKmsMrkKeyring',
      // The region must be one of the partition's own: KMS is called in the region the EDK names.
      admits: (key: AwsKmsKey) =>
        key.partition === partition &&
        regionInPartition(key.region, partition) &&
        accounts.has(key.account) &&
        inRegion(key),
      openWith:
        region === undefined
          ? undefined
          : (key: AwsKmsKey): AwsKmsKey => {
              const replica = arnInRegion(key, region);
              return { ...replica, id: replica.arn };
            },
    },
  };
}

/**
 * Decrypts any `aws-kms` EDK whose key ARN passes the filter, calling KMS in the key's own region.
 * It never encrypts. Use it when the writer's keys are not known in advance, and keep the filter as
 * narrow as the accounts you trust: the keyring sends those EDKs to whatever key they name.
 */
export class AwsKmsDiscoveryKeyring extends KmsKeyring<AwsKmsKey> {
  constructor(options: AwsKmsDiscoveryKeyringOptions) {
    super(discoveryKeyringOptions(options));
  }
}
