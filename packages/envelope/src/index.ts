export * from './errors.js';
export * from './suites.js';
export * from './context.js';
export * from './limits.js';
export type * from './keyring/types.js';
export { wrapDataKey, unwrapDataKey, type CheckedWrapResult } from './keyring/contract.js';
export { MultiKeyring, type MultiKeyringOptions } from './keyring/multi-keyring.js';
export { KMS_CALL_CHANNEL, type KmsCallEvent } from './driver/kms-call.js';
export { zeroize } from './crypto/zeroize.js';
export { isWellFormedText } from './format/utf8.js';
export {
  serializeEncryptionContext,
  parseEncryptionContext,
  assertNoReservedKeys,
} from './format/encryption-context.js';
export { parseHeader, type MessageHeader, type HeaderLimits, type ContentType } from './format/header.js';
export { DEFAULT_FRAME_LENGTH } from './message/frame-length.js';
export type { EncryptOptions, EncryptResult, DecryptOptions, DecryptResult } from './message/options.js';
export { encrypt } from './message/encrypt.js';
export { decrypt } from './message/decrypt.js';
export { inspect, type MessageInfo, type EncryptedDataKeyInfo } from './message/inspect.js';
export * from './stream/index.js';
export * from './cache/index.js';
export * from './rewrap/index.js';
