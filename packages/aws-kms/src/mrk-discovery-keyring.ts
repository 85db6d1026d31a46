import { KmsKeyring } from '@polykms/envelope/driver';
import { type AwsKmsDiscoveryKeyringOptions, discoveryKeyringOptions } from './discovery-keyring.js';
import type { AwsKmsKey } from './driver.js';

export interface AwsKmsMrkDiscoveryKeyringOptions extends AwsKmsDiscoveryKeyringOptions {
  /** The one region this keyring calls KMS in (with `clientProvider(region)`). */
  readonly region: string;
}

/**
 * `AwsKmsDiscoveryKeyring` for one region, aware of multi-Region keys (the ESDK's
 * `AwsKmsMrkAwareSymmetricDiscoveryKeyring`): an EDK of an `mrk-` key that passes the filter is
 * decrypted with that key's replica in `region`, whatever region the EDK names; an EDK of any
 * other key only when the key is in `region`. It never calls another region.
 */
export class AwsKmsMrkDiscoveryKeyring extends KmsKeyring<AwsKmsKey> {
  constructor(options: AwsKmsMrkDiscoveryKeyringOptions) {
    super(discoveryKeyringOptions(options, options?.region ?? ''));
  }
}
