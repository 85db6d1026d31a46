import { HASH_LENGTH, type HmacHash, hmac } from './hmac.js';
import { zeroize } from './zeroize.js';

export type HkdfHash = HmacHash;

/** The one-byte counters 0…255, made once. */
const COUNTER: readonly Uint8Array[] = Array.from({ length: 256 }, (_, i) => Uint8Array.of(i));

/**
 * HKDF (RFC 5869) over the one-shot HMAC of `hmac.ts`, split into its two steps so that a
 * message's two keys (v2 suites: encryption key and commitment) cost one extract and two expands,
 * where two `hkdfSync` calls would extract twice; and no KeyObject is created for the salt or the
 * PRK (the message's one KeyObject is its AES key). `hkdf.test.ts` checks this against `hkdfSync`
 * and the RFC's test vectors.
 */
export function hkdfExtract(hash: HkdfHash, salt: Uint8Array, inputKey: Uint8Array): Buffer {
  // An absent salt is HashLen zero bytes (RFC 5869 §2.2), which pads exactly like an empty key.
  return hmac(hash, salt, [inputKey]);
}

/** The first `length` bytes of T(1) ‖ T(2) ‖ …, T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i). */
export function hkdfExpand(hash: HkdfHash, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const blockLength = HASH_LENGTH[hash];
  const blocks = Math.ceil(length / blockLength);
  if (!Number.isInteger(length) || length < 1 || blocks > 255) {
    throw new RangeError(`HKDF cannot expand to ${length} bytes with ${hash}`);
  }
  if (blocks === 1) {
    const block = hmac(hash, prk, [info, COUNTER[1]!]);
    if (block.length === length) return block;
    const result = Buffer.from(block.subarray(0, length));
    zeroize(block);
    return result;
  }
  const output = Buffer.allocUnsafe(blocks * blockLength);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1; i <= blocks; i++) {
    const block = hmac(hash, prk, [previous, info, COUNTER[i]!]);
    block.copy(output, (i - 1) * blockLength);
    zeroize(block);
    previous = output.subarray((i - 1) * blockLength, i * blockLength);
  }
  if (output.length === length) return output;
  const result = Buffer.from(output.subarray(0, length));
  zeroize(output);
  return result;
}

/** HKDF in one call: `hkdfSync`'s result, without the KeyObject it makes of a Buffer key. */
export function hkdf(
  hash: HkdfHash,
  inputKey: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Buffer {
  const prk = hkdfExtract(hash, salt, inputKey);
  try {
    return hkdfExpand(hash, prk, info, length);
  } finally {
    zeroize(prk);
  }
}
