export { AwsKmsKeyring, type AwsKmsKeyringOptions } from './keyring.js';
export {
  AwsKmsDiscoveryKeyring,
  type AwsKmsDiscoveryKeyringOptions,
  type DiscoveryFilter,
} from './discovery-keyring.js';
export { AwsKmsMrkKeyring } from './mrk-keyring.js';
export { AwsKmsMrkDiscoveryKeyring, type AwsKmsMrkDiscoveryKeyringOptions } from './mrk-discovery-keyring.js';
export {
  awsKmsMrkMultiKeyring,
  type AwsKmsMrkMultiKeyringOptions,
  awsKmsMrkDiscoveryMultiKeyring,
  type AwsKmsMrkDiscoveryMultiKeyringOptions,
} from './mrk-multi-keyrings.js';
export { type AwsKmsArn, isMultiRegionKey, mrkMatch, parseAwsKmsArn, parseKeyArn } from './arn.js';
export { mapAwsKmsError } from './error-table.js';
export { type ClientProvider, defaultClientProvider } from './client-provider.js';
export { PROVIDER_ID as AWS_KMS_PROVIDER_ID } from './provider.js';
export { awsKmsKeyringScheme, type AwsKmsUriKey, type AwsKmsUriFilter } from './scheme/index.js';
