import { KmsKeyring } from '@polykms/envelope/driver';
import type { AwsKmsKey } from './driver.js';
import { type AwsKmsKeyringOptions, strictKeyringOptions } from './keyring.js';

/**
 * `AwsKmsKeyring` aware of multi-Region keys (the ESDK's `AwsKmsMrkAwareSymmetricKeyring`): it
 * also decrypts EDKs written under a replica of its `mrk-` key in another region, by calling
 * KMS in its own region with its own key ARN. Encrypt is unchanged; with a key that is not
 * multi-Region it behaves exactly as `AwsKmsKeyring`.
 */
export class AwsKmsMrkKeyring extends KmsKeyring<AwsKmsKey> {
  constructor(options: AwsKmsKeyringOptions) {
    super(strictKeyringOptions(options, true));
  }
}
