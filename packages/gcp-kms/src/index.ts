export { GcpKmsKeyring, type GcpKmsKeyringOptions } from './keyring.js';
export {
  type CryptoKeyName,
  type CryptoKeyVersionName,
  parseCryptoKeyName,
  parseCryptoKeyVersionName,
} from './names.js';
export {
  GcpKmsDiscoveryKeyring,
  type GcpKmsDiscoveryKeyringOptions,
  type GcpDiscoveryFilter,
} from './discovery-keyring.js';
export { PROVIDER_ID as GCP_KMS_PROVIDER_ID, mapGcpError } from './errors.js';
export { EMULATOR_ENDPOINT_VARIABLE, EMULATOR_REMOTE_VARIABLE, defaultClient } from './client.js';
export { type GcpRetryOptions, DEFAULT_RETRY as GCP_DEFAULT_RETRY } from './keyring.js';
export { gcpKmsKeyringScheme, type GcpKmsUriKey, type GcpKmsUriFilter } from './scheme/index.js';
