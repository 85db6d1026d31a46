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
export type {
  EncryptOptions,
  EncryptResult,
  EncryptIntoResult,
  EncryptPartsResult,
  DecryptOptions,
  DecryptIntoResult,
  DecryptResult,
} from './message/options.js';
export { encrypt } from './message/encrypt.js';
export { encryptInto } from './message/encrypt-into.js';
export { encryptParts } from './message/encrypt-parts.js';
export { encryptedLength, type MessageLengthOptions } from './message/message-length.js';
export { decrypt, decryptInto } from './message/decrypt.js';
export { inspect, type MessageInfo, type EncryptedDataKeyInfo } from './message/inspect.js';
export {
  FramePool,
  type FramePoolOptions,
  DEFAULT_MIN_PARALLEL_BYTES,
  MAX_POOL_SIZE,
} from './workers/frame-pool.js';
export { type WorkersOption, sharedFramePool } from './workers/workers-option.js';
export { minorGc } from './workers/minor-gc.js';
export * from './stream/index.js';
export * from './cache/index.js';
export * from './rewrap/index.js';
