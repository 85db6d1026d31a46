export {
  KEY_URI_SCHEMES,
  type KeyUriScheme,
  UnknownKeyUriSchemeError,
  InvalidKeyUriError,
  ProviderNotInstalledError,
} from './errors.js';
export {
  parseKeyUri,
  keyUriOfEncryptedDataKey,
  type KeyUri,
  type AwsKmsKeyUri,
  type GcpKmsKeyUri,
  type AzureKeyVaultKeyUri,
  type LocalKeyUri,
} from './parse.js';
export {
  parseDiscoveryFilters,
  type DiscoveryFilter,
  type AwsDiscoveryFilter,
  type GcpDiscoveryFilter,
  type AzureDiscoveryFilter,
} from './discovery-filter.js';
export { encryptedDataKeyMatchesUri } from './match.js';
export type { KeyUriOptions, ProviderSettings } from './options.js';
export { importProvider } from './load-provider.js';
export { keyringFromUri, keyringFromUris, discoveryKeyringFromFilters } from './keyring-from-uris.js';
