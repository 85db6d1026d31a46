import { publicRandomBytes } from './public-random.js';

const MESSAGE_ID_LENGTH = 32;

/**
 * A fresh 32-byte message id. Ids are public (every header carries one), so they come from the
 * pool of `public-random.ts`: a `randomBytes(32)` call per message cost as much as encrypting a
 * 1 KiB message.
 */
export function newMessageId(): Buffer {
  return publicRandomBytes(MESSAGE_ID_LENGTH);
}
