export {
  KEY_URI_SCHEMES,
  type KeyUriScheme,
  UnknownKeyUriSchemeError,
  InvalidKeyUriError,
  ProviderNotInstalledError,
} from './errors.js';
export { registerKeyringScheme, keyringSchemes } from './registry.js';
export type { KeyringScheme, DiscoveryScheme, SchemeKeyringOptions } from '@polykms/envelope/driver';
export { parseKeyUri, keyUriOfEncryptedDataKey, type KeyUri } from './parse.js';
export { parseDiscoveryFilters, type DiscoveryFilter } from './discovery-filter.js';
export { encryptedDataKeyMatchesUri } from './match.js';
export type { KeyUriOptions, ProviderSettings } from './options.js';
export { importProvider } from './load-provider.js';
export { keyringFromUri, keyringFromUris, discoveryKeyringFromFilters } from './keyring-from-uris.js';
export { localKeyringScheme, type LocalUriKey } from './providers/local.js';
