import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;

/**
 * Random bytes that will be published (message ids, salts, IVs), drawn from a pool that one CSPRNG
 * call refills: a `randomBytes` call costs ~2 µs on Node 24, as much as the rest of a small
 * message's bookkeeping. Never for keys: the pool sits in memory until handed out, and is not
 * zeroed, because what it holds is made public anyway. Each byte is handed out once; every thread
 * has its own pool (module state), filled by its own CSPRNG calls, so copies never share values.
 */
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let next = POOL_BYTES;

export function publicRandomBytes(length: number): Buffer {
  if (!Number.isInteger(length) || length < 1 || length > POOL_BYTES) {
    throw new RangeError(`publicRandomBytes: 1 to ${POOL_BYTES} bytes, not ${length}`);
  }
  if (next + length > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = Buffer.from(pool.subarray(next, next + length));
  next += length;
  return bytes;
}
