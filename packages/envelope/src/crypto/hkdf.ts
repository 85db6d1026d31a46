import { HASH_LENGTH, type HmacHash, hmacPads, hmacWithPads, wipePads } from './hmac.js';
import { zeroize } from './zeroize.js';

export type HkdfHash = HmacHash;

/**
 * HKDF (RFC 5869) over the one-shot HMAC of `hmac.ts`, split into its two steps so that a
 * message's two keys (v2 suites: encryption key and commitment) cost one extract and two expands,
 * where two `hkdfSync` calls would extract twice; and no KeyObject is created for the salt or the
 * PRK (the message's one KeyObject is its AES key). `hkdf.test.ts` checks this against `hkdfSync`
 * and the RFC's test vectors.
 */
export function hkdfExtract(hash: HkdfHash, salt: Uint8Array, inputKey: Uint8Array): Buffer {
  // An absent salt is HashLen zero bytes (RFC 5869 §2.2), which pads exactly like an empty key.
  const pads = hmacPads(hash, salt);
  try {
    return hmacWithPads(pads, [inputKey]);
  } finally {
    wipePads(pads);
  }
}

/** The first `length` bytes of T(1) ‖ T(2) ‖ …, T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i). */
export function hkdfExpand(hash: HkdfHash, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const blockLength = HASH_LENGTH[hash];
  const blocks = Math.ceil(length / blockLength);
  if (!Number.isInteger(length) || length < 1 || blocks > 255) {
    throw new RangeError(`HKDF cannot expand to ${length} bytes with ${hash}`);
  }
  const pads = hmacPads(hash, prk);
  const output = Buffer.allocUnsafe(blocks * blockLength);
  try {
    let previous: Uint8Array = new Uint8Array(0);
    for (let i = 1; i <= blocks; i++) {
      const block = hmacWithPads(pads, [previous, info, Uint8Array.of(i)]);
      block.copy(output, (i - 1) * blockLength);
      zeroize(block);
      previous = output.subarray((i - 1) * blockLength, i * blockLength);
    }
  } finally {
    wipePads(pads);
  }
  if (output.length === length) return output;
  const result = Buffer.from(output.subarray(0, length));
  zeroize(output);
  return result;
}
