import {
  InvalidArgumentError,
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapResult,
  checkTimeoutMs,
  discoveryCannotEncrypt,
  discoveryFilterSet,
} from '@polykms/envelope';
import type { AwsKmsArn } from './arn.js';
import { type ClientProvider, defaultClientProvider } from './client-provider.js';
import { checkGrantTokens } from './keyring.js';
import { KNOWN_PARTITIONS, regionInPartition } from './partitions.js';
import { PROVIDER_ID } from './provider.js';
import { unwrapMatching } from './unwrap-matching.js';

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
 * Decrypts any `aws-kms` EDK whose key ARN passes the filter, calling KMS in the key's own region.
 * It never encrypts. Use it when the writer's keys are not known in advance, and keep the filter as
 * narrow as the accounts you trust: the keyring sends those EDKs to whatever key they name.
 */
export class AwsKmsDiscoveryKeyring implements Keyring {
  readonly description: string;
  readonly #partition: string;
  readonly #accounts: ReadonlySet<string>;
  readonly #clientProvider: ClientProvider;
  readonly #grantTokens: readonly string[] | undefined;
  readonly #timeoutMs: number | undefined;

  constructor(options: AwsKmsDiscoveryKeyringOptions) {
    const filter = options?.discoveryFilter;
    if (typeof filter?.partition !== 'string' || !KNOWN_PARTITIONS.includes(filter.partition)) {
      throw new InvalidArgumentError(
        `AwsKmsDiscoveryKeyring needs discoveryFilter: { partition (one of ${KNOWN_PARTITIONS.join(', ')}), accountIds: [12-digit account ids, at least one] }`,
        { provider: PROVIDER_ID },
      );
    }
    this.#accounts = discoveryFilterSet(filter.accountIds, {
      provider: PROVIDER_ID,
      field: 'discoveryFilter.accountIds',
      entry: '12-digit account id',
      accepts: (id) => ACCOUNT.test(id),
    });
    checkGrantTokens(options.grantTokens);
    checkTimeoutMs(options.timeoutMs, PROVIDER_ID);
    this.#partition = filter.partition;
    this.#clientProvider = options.clientProvider ?? defaultClientProvider();
    this.#grantTokens = options.grantTokens ? [...options.grantTokens] : undefined;
    this.#timeoutMs = options.timeoutMs;
    this.description = `${PROVIDER_ID} discovery (${filter.partition}: ${[...this.#accounts].join(', ')})`;
  }

  async wrap(): Promise<WrapResult> {
    throw discoveryCannotEncrypt(PROVIDER_ID, this.description, 'AwsKmsKeyring');
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const options = {
      clientFor: (arn: AwsKmsArn) => this.#clientProvider(arn.region),
      grantTokens: this.#grantTokens,
      timeoutMs: this.#timeoutMs,
    };
    return unwrapMatching(
      request,
      options,
      // The region must be one of the partition's own: KMS is called in the region the EDK names.
      (arn) =>
        arn.partition === this.#partition &&
        regionInPartition(arn.region, arn.partition) &&
        this.#accounts.has(arn.account),
    );
  }
}
