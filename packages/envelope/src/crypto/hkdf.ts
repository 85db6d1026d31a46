import { type KeyObject, createHmac, createSecretKey } from 'node:crypto';
import { zeroize } from './zeroize.js';

export type HkdfHash = 'sha256' | 'sha384' | 'sha512';

const HASH_LENGTH: Record<HkdfHash, number> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * HKDF (RFC 5869) over node:crypto's HMAC, split into its two steps so that a message's two keys
 * (v2 suites: encryption key and commitment) cost one extract and two expands, where two
 * `hkdfSync` calls would extract twice. Every HMAC key is a KeyObject: for any other key,
 * node:crypto (Node 24) first rules out KeyObject and CryptoKey by catching two thrown errors,
 * ~30 µs in the library's mixed use, more than the HMAC (a microbenchmark that passes
 * only Buffers, in a hot loop, does not show it). `hkdf.test.ts` checks this against `hkdfSync`
 * and the RFC's test vectors.
 */
export function hkdfExtract(hash: HkdfHash, salt: Uint8Array, inputKey: Uint8Array): KeyObject {
  // An absent salt is HashLen zero bytes (RFC 5869 §2.2); node refuses an empty HMAC key.
  const saltKey = createSecretKey(salt.length > 0 ? salt : Buffer.alloc(HASH_LENGTH[hash]));
  const prk = createHmac(hash, saltKey).update(inputKey).digest();
  try {
    return createSecretKey(prk);
  } finally {
    zeroize(prk);
  }
}

/** The first `length` bytes of T(1) ‖ T(2) ‖ …, T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i). */
export function hkdfExpand(hash: HkdfHash, prk: KeyObject, info: Uint8Array, length: number): Buffer {
  const blockLength = HASH_LENGTH[hash];
  const blocks = Math.ceil(length / blockLength);
  if (!Number.isInteger(length) || length < 1 || blocks > 255) {
    throw new RangeError(`HKDF cannot expand to ${length} bytes with ${hash}`);
  }
  const output = Buffer.allocUnsafe(blocks * blockLength);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1; i <= blocks; i++) {
    const block = createHmac(hash, prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
    block.copy(output, (i - 1) * blockLength);
    zeroize(block);
    previous = output.subarray((i - 1) * blockLength, i * blockLength);
  }
  if (output.length === length) return output;
  const result = Buffer.from(output.subarray(0, length));
  zeroize(output);
  return result;
}
