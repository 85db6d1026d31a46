export type { StreamEncryptOptions, StreamDecryptOptions, SignedMessagePolicy } from './options.js';
export type { OpenedHeaderInfo } from './decryptor-session.js';
export { EncryptStream, DecryptStream, encryptStream, decryptStream } from './node-streams.js';
export { encryptIterable, decryptIterable } from './iterables.js';
export { encryptWebStream, decryptWebStream } from './web-streams.js';
