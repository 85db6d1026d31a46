import { randomFillSync } from 'node:crypto';

const MESSAGE_ID_LENGTH = 32;
const IDS_PER_REFILL = 128;

/**
 * Message ids come from a pool refilled by one CSPRNG call per 128 ids: a `randomBytes(32)` call
 * per message cost as much as encrypting a 1 KiB message. Ids are public (every header carries
 * one), so the pool needs no zeroing; each id is handed out once.
 */
const pool = Buffer.allocUnsafeSlow(MESSAGE_ID_LENGTH * IDS_PER_REFILL);
let next = pool.length;

export function newMessageId(): Buffer {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const id = Buffer.from(pool.subarray(next, next + MESSAGE_ID_LENGTH));
  next += MESSAGE_ID_LENGTH;
  return id;
}
