export type {
  EncryptedHeaderInfo,
  StreamEncryptOptions,
  StreamDecryptOptions,
  SignedMessagePolicy,
} from './options.js';
export { DEFAULT_STREAM_MAX_FRAME_LENGTH } from './options.js';
export type { OpenedHeaderInfo } from './options.js';
export { EncryptStream, DecryptStream, encryptStream, decryptStream } from './node-streams.js';
export { encryptIterable, decryptIterable } from './iterables.js';
export { encryptWebStream, decryptWebStream } from './web-streams.js';
export { type PeekedMessage, peekHeader } from './peek-header.js';
