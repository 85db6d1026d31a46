/**
 * `@polykms/envelope/driver`: what an adapter author needs to put a KMS behind polykms. Implement
 * a `KmsDriver` and construct a `KmsKeyring` over it; nothing from the main entry point is needed
 * beyond the types and errors it re-exports here.
 */
export type {
  KmsDriver,
  KmsKey,
  KmsOperationNames,
  KmsErrorContext,
  SealCall,
  SealAnswer,
  GenerateCall,
  GenerateAnswer,
  OpenCall,
  OpenAnswer,
} from './kms-driver.js';
export { KmsKeyring, type KmsKeyringOptions, MAX_KMS_KEY_NAME_BYTES } from './kms-keyring.js';
export type { KeyPolicy, StrictKeyPolicy, DiscoveryKeyPolicy } from './key-policy.js';
export { type RetryOptions, type RetryPolicy, NO_RETRY, retryPolicy, withRetries } from './retry.js';
export { isNetworkErrorCode } from './network-errors.js';
export { KMS_CALL_CHANNEL, type KmsCallEvent, type KmsCallOptions, kmsCall } from './kms-call.js';
export { type SharedWaitOptions, waitForShared } from './race-abort.js';
export { unwrapFirst } from './unwrap-first.js';
export { unwrapFirstWithKey } from './unwrap-first-with-key.js';
export { sealGivenOrNewDataKey } from './seal-data-key.js';
export { providerInfoText } from './provider-info-text.js';
export { checkTimeoutMs } from './check-timeout.js';
export { type FilterListSpec, discoveryCannotEncrypt, discoveryFilterSet } from './discovery-filter.js';
export type {
  KeyringScheme,
  DiscoveryScheme,
  SchemeKeyringOptions,
  SchemeFields,
  KeyPurpose,
  AnyKeyringScheme,
} from './keyring-scheme.js';
// The pieces of the main entry point an adapter uses, so that one import serves it.
export {
  ErrorCodes,
  type ErrorCode,
  KmsError,
  type KmsErrorCode,
  type KmsErrorOptions,
  PolykmsError,
  InvalidArgumentError,
  isPolykmsError,
} from '../errors.js';
export type * from '../keyring/types.js';
export type { AlgorithmSuite } from '../suites.js';
export type { EncryptionContext } from '../context.js';
export { serializeEncryptionContext } from '../format/encryption-context.js';
export { zeroize } from '../crypto/zeroize.js';
export { hkdf, type HkdfHash } from '../crypto/hkdf.js';
export { publicRandomBytes } from '../crypto/public-random.js';
