import type { KMSClient } from '@aws-sdk/client-kms';
import type { EncryptedDataKey, KeyringScheme } from '@polykms/envelope/driver';
import { InvalidArgumentError } from '@polykms/envelope/driver';
import { isAliasName, isMultiRegionKey, mrkMatch, parseAwsKmsArn, parseKeyArn } from '../arn.js';
import { KNOWN_PARTITIONS, regionInPartition } from '../partitions.js';
import { PROVIDER_ID } from '../provider.js';

/** `aws-kms://<key ARN | alias ARN | alias/name>` as `@polykms/key-uri` reads it. */
export interface AwsKmsUriKey {
  /** What goes to KMS as `KeyId`: a key ARN, an alias ARN or `alias/<name>`. */
  readonly keyId: string;
  /** Aliases can wrap, but an EDK always names the key ARN, so they cannot select EDKs on decrypt. */
  readonly kind: 'key' | 'alias';
  /** From the ARN; undefined for `alias/<name>`, which uses the client's configured region. */
  readonly region: string | undefined;
  /** An `mrk-` key ARN: its keyring also opens its replicas' EDKs (AwsKmsMrkKeyring). */
  readonly multiRegion?: boolean | undefined;
  readonly uri?: string;
}

/** `aws-kms://<partition>/<account>[,<account>…][?region=<region>]`. */
export interface AwsKmsUriFilter {
  readonly partition: string;
  readonly accountIds: readonly string[];
  /** Set: an AwsKmsMrkDiscoveryKeyring that calls KMS in this region only. */
  readonly region?: string | undefined;
}

const FILTER = /^([a-z-]+)\/(\d{12}(?:,\d{12})*)(?:\?region=([a-z0-9-]{1,64}))?$/;
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * The `aws-kms://` key URI scheme, judged by the same ARN grammar as `AwsKmsKeyring`. Loading it
 * loads no AWS SDK: that happens when a keyring is made.
 */
export const awsKmsKeyringScheme: KeyringScheme<AwsKmsUriKey, AwsKmsUriFilter> = {
  scheme: PROVIDER_ID,
  providerId: PROVIDER_ID,
  keyForm:
    'aws-kms://arn:aws:kms:<region>:<account>:key/<key-id> (or an alias ARN / alias/<name> to encrypt)',
  parseKey(rest) {
    const arn = parseAwsKmsArn(rest);
    if (arn) {
      const multiRegion = isMultiRegionKey(arn) || undefined;
      return { keyId: rest, kind: arn.resourceType, region: arn.region, ...(multiRegion && { multiRegion }) };
    }
    if (isAliasName(rest)) return { keyId: rest, kind: 'alias', region: undefined };
    return undefined;
  },
  async keyring(key, { settings, purpose }) {
    if (key.kind === 'alias' && purpose === 'decrypt') {
      throw new InvalidArgumentError(
        `'${key.uri ?? key.keyId}' cannot decrypt: expected a key ARN (aws-kms://arn:aws:kms:<region>:<account>:key/<key-id>); ` +
          'an encrypted data key names the key, never the alias',
        { provider: PROVIDER_ID },
      );
    }
    const { AwsKmsKeyring, AwsKmsMrkKeyring } = await import('../index.js');
    // A multi-Region key's replicas are the same key: its URI opens their EDKs too, in its region.
    const Keyring = key.multiRegion ? AwsKmsMrkKeyring : AwsKmsKeyring;
    return new Keyring({ ...settings, keyId: key.keyId });
  },
  edkMatchesKey(key, edk: EncryptedDataKey) {
    // An alias names no key in particular: the EDK holds the key ARN that the alias pointed to.
    if (edk.providerId !== PROVIDER_ID || key.kind !== 'key') return false;
    const named = utf8.decode(edk.providerInfo);
    if (!key.multiRegion) return named === key.keyId;
    const [ours, theirs] = [parseKeyArn(key.keyId), parseKeyArn(named)];
    return ours !== undefined && theirs !== undefined && mrkMatch(ours, theirs);
  },
  keyUriOfEdk(providerInfo) {
    return parseKeyArn(providerInfo) ? `aws-kms://${providerInfo}` : undefined;
  },
  discovery: {
    form: 'aws-kms://<partition>/<account>[,<account>…][?region=<region>], e.g. aws-kms://aws/111122223333',
    parse(rest) {
      const match = FILTER.exec(rest);
      const [, partition, accounts, region] = match ?? [];
      if (partition === undefined || accounts === undefined || !KNOWN_PARTITIONS.includes(partition)) {
        return undefined;
      }
      if (region !== undefined && !regionInPartition(region, partition)) return undefined;
      return { partition, accountIds: accounts.split(','), ...(region !== undefined && { region }) };
    },
    // One AWS discovery keyring takes one partition (and one region, if any): such filters share one.
    merge(filters) {
      const merged = new Map<
        string,
        { partition: string; region: string | undefined; accounts: Set<string> }
      >();
      for (const { partition, accountIds, region } of filters) {
        const key = `${partition} ${region ?? ''}`;
        const entry = merged.get(key) ?? { partition, region, accounts: new Set<string>() };
        for (const id of accountIds) entry.accounts.add(id);
        merged.set(key, entry);
      }
      return [...merged.values()].map(({ partition, region, accounts }) => ({
        partition,
        accountIds: [...accounts],
        ...(region !== undefined && { region }),
      }));
    },
    async keyring(filter, { settings }) {
      const { AwsKmsDiscoveryKeyring, AwsKmsMrkDiscoveryKeyring } = await import('../index.js');
      const discoveryFilter = { partition: filter.partition, accountIds: filter.accountIds };
      const { client, ...rest } = settings;
      if (filter.region === undefined) {
        // One client talks to one region; discovery calls the region each EDK's key names.
        if (client !== undefined) {
          throw new InvalidArgumentError(
            `aws-kms discovery (${filter.partition}/${filter.accountIds.join(',')}) calls KMS in the region of each EDK's key: ` +
              'configure clientProvider (a client per region) instead of client, or add ?region=<region> to decrypt in one region',
            { provider: PROVIDER_ID },
          );
        }
        return new AwsKmsDiscoveryKeyring({ ...rest, discoveryFilter });
      }
      // Every call goes to the filter's region: a client given for it serves them all.
      const clients =
        client !== undefined && rest.clientProvider === undefined
          ? { clientProvider: () => client as KMSClient }
          : {};
      return new AwsKmsMrkDiscoveryKeyring({ ...rest, ...clients, discoveryFilter, region: filter.region });
    },
  },
};
