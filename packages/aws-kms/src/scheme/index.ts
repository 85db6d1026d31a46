import type { EncryptedDataKey, KeyringScheme } from '@polykms/envelope/driver';
import { InvalidArgumentError } from '@polykms/envelope/driver';
import { isAliasName, parseAwsKmsArn, parseKeyArn } from '../arn.js';
import { KNOWN_PARTITIONS } from '../partitions.js';
import { PROVIDER_ID } from '../provider.js';

/** `aws-kms://<key ARN | alias ARN | alias/name>` as `@polykms/key-uri` reads it. */
export interface AwsKmsUriKey {
  /** What goes to KMS as `KeyId`: a key ARN, an alias ARN or `alias/<name>`. */
  readonly keyId: string;
  /** Aliases can wrap, but an EDK always names the key ARN, so they cannot select EDKs on decrypt. */
  readonly kind: 'key' | 'alias';
  /** From the ARN; undefined for `alias/<name>`, which uses the client's configured region. */
  readonly region: string | undefined;
  readonly uri?: string;
}

/** `aws-kms://<partition>/<account>[,<account>…]`. */
export interface AwsKmsUriFilter {
  readonly partition: string;
  readonly accountIds: readonly string[];
}

const FILTER = /^([a-z-]+)\/(\d{12}(?:,\d{12})*)$/;
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
    if (arn) return { keyId: rest, kind: arn.resourceType, region: arn.region };
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
    const { AwsKmsKeyring } = await import('../index.js');
    return new AwsKmsKeyring({ ...settings, keyId: key.keyId });
  },
  edkMatchesKey(key, edk: EncryptedDataKey) {
    // An alias names no key in particular: the EDK holds the key ARN that the alias pointed to.
    return (
      edk.providerId === PROVIDER_ID && key.kind === 'key' && utf8.decode(edk.providerInfo) === key.keyId
    );
  },
  keyUriOfEdk(providerInfo) {
    return parseKeyArn(providerInfo) ? `aws-kms://${providerInfo}` : undefined;
  },
  discovery: {
    form: 'aws-kms://<partition>/<account>[,<account>…], e.g. aws-kms://aws/111122223333',
    parse(rest) {
      const match = FILTER.exec(rest);
      if (!match || !KNOWN_PARTITIONS.includes(match[1] as string)) return undefined;
      return { partition: match[1] as string, accountIds: (match[2] as string).split(',') };
    },
    // One AWS discovery keyring takes one partition: filters of a partition share one.
    merge(filters) {
      const byPartition = new Map<string, Set<string>>();
      for (const { partition, accountIds } of filters) {
        const accounts = byPartition.get(partition) ?? new Set<string>();
        for (const id of accountIds) accounts.add(id);
        byPartition.set(partition, accounts);
      }
      return [...byPartition].map(([partition, accounts]) => ({ partition, accountIds: [...accounts] }));
    },
    async keyring(filter, { settings }) {
      const { AwsKmsDiscoveryKeyring } = await import('../index.js');
      return new AwsKmsDiscoveryKeyring({
        ...settings,
        discoveryFilter: { partition: filter.partition, accountIds: filter.accountIds },
      });
    },
  },
};
