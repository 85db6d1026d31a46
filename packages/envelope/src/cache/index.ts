export { DataKeyCache, type DataKeyCacheOptions } from './data-key-cache.js';
export { CachingKeyring, type CachingKeyringOptions, type CachingKeyringStats } from './caching-keyring.js';
