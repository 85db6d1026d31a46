import { InvalidArgumentError, MultiKeyring, type MultiKeyringOptions } from '@polykms/envelope';
import { parseAwsKmsArn } from './arn.js';
import type { AwsKmsDiscoveryKeyringOptions } from './discovery-keyring.js';
import type { AwsKmsKeyringOptions } from './keyring.js';
import { AwsKmsMrkDiscoveryKeyring } from './mrk-discovery-keyring.js';
import { AwsKmsMrkKeyring } from './mrk-keyring.js';
import { PROVIDER_ID } from './provider.js';

/** What every keyring of a multi-keyring shares: clients, grant tokens, deadline. */
type SharedOptions = Omit<AwsKmsKeyringOptions, 'keyId' | 'client'>;

export interface AwsKmsMrkMultiKeyringOptions
  extends SharedOptions,
    Pick<MultiKeyringOptions, 'minRecipients' | 'generateLocally'> {
  /** The key that makes the data key (KMS GenerateDataKey); omit for a decrypt-only keyring. */
  readonly generatorKeyId?: string | undefined;
  /** More keys that wrap it. */
  readonly keyIds?: readonly string[] | undefined;
}

/**
 * The ESDK's `buildAwsKmsMrkAwareStrictMultiKeyring`: one `AwsKmsMrkKeyring` per key (the
 * generator first). Refuses two ids that name one multi-Region key in two regions (a key and its
 * replica): they are the same key material, so the second EDK would protect nothing more, and the
 * ESDK refuses the same list.
 */
export function awsKmsMrkMultiKeyring(options: AwsKmsMrkMultiKeyringOptions): MultiKeyring {
  const { generatorKeyId, keyIds = [], minRecipients, generateLocally, ...shared } = options ?? {};
  const all = [...(generatorKeyId === undefined ? [] : [generatorKeyId]), ...keyIds];
  if (all.length === 0) {
    throw new InvalidArgumentError('awsKmsMrkMultiKeyring needs generatorKeyId or at least one of keyIds', {
      provider: PROVIDER_ID,
    });
  }
  assertDistinctMultiRegionKeys(all);
  const keyring = (keyId: string) => new AwsKmsMrkKeyring({ ...shared, keyId });
  return new MultiKeyring({
    generator: generatorKeyId === undefined ? undefined : keyring(generatorKeyId),
    children: keyIds.map(keyring),
    minRecipients,
    generateLocally,
  });
}

export interface AwsKmsMrkDiscoveryMultiKeyringOptions extends AwsKmsDiscoveryKeyringOptions {
  /** The regions to decrypt in, tried in this order; at least one. */
  readonly regions: readonly string[];
}

/**
 * The ESDK's `buildAwsKmsMrkAwareDiscoveryMultiKeyring`: one `AwsKmsMrkDiscoveryKeyring` per region,
 * tried in order, each calling KMS in its own region only. Decrypt only; the filter is required, as
 * for every discovery keyring here.
 */
export function awsKmsMrkDiscoveryMultiKeyring(options: AwsKmsMrkDiscoveryMultiKeyringOptions): MultiKeyring {
  const { regions, ...shared } = options ?? ({} as AwsKmsMrkDiscoveryMultiKeyringOptions);
  if (!Array.isArray(regions) || regions.length === 0 || new Set(regions).size !== regions.length) {
    throw new InvalidArgumentError(
      'awsKmsMrkDiscoveryMultiKeyring needs regions: distinct regions, at least one',
      {
        provider: PROVIDER_ID,
      },
    );
  }
  return new MultiKeyring({
    children: regions.map((region) => new AwsKmsMrkDiscoveryKeyring({ ...shared, region })),
  });
}

/**
 * The ESDK's "assert AWS KMS MRKs are unique": no multi-Region key id (`mrk-…`, as an ARN or bare)
 * may appear twice; the error names every id involved, not only the first pair.
 */
function assertDistinctMultiRegionKeys(keyIds: readonly string[]): void {
  const byResource = new Map<string, string[]>();
  for (const keyId of keyIds) {
    const resource = multiRegionResourceId(keyId);
    if (resource === undefined) continue;
    byResource.set(resource, [...(byResource.get(resource) ?? []), keyId]);
  }
  const repeated = [...byResource.values()].filter((ids) => ids.length > 1).flat();
  if (repeated.length > 0) {
    throw new InvalidArgumentError(
      `these key ids name one multi-Region key more than once (a key and its replica are one key): ${repeated.join(', ')}`,
      { provider: PROVIDER_ID },
    );
  }
}

function multiRegionResourceId(keyId: string): string | undefined {
  if (typeof keyId !== 'string') return undefined;
  const arn = parseAwsKmsArn(keyId);
  const resource = arn ? (arn.resourceType === 'key' ? arn.resourceId : undefined) : keyId;
  return resource?.startsWith('mrk-') ? resource : undefined;
}
