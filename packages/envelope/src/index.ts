export * from './errors.js';
export * from './suites.js';
export * from './context.js';
export * from './limits.js';
export type * from './keyring/types.js';
export { wrapDataKey, unwrapDataKey } from './keyring/contract.js';
export { zeroize } from './crypto/zeroize.js';
export { KMS_CALL_CHANNEL, type KmsCallEvent, type KmsCallOptions, kmsCall } from './keyring/kms-call.js';
export { unwrapFirst } from './keyring/unwrap-first.js';
