import { hash as digest } from 'node:crypto';
import { zeroize } from './zeroize.js';

export type HmacHash = 'sha256' | 'sha384' | 'sha512';

export const HASH_LENGTH: Record<HmacHash, number> = { sha256: 32, sha384: 48, sha512: 64 };
const BLOCK_LENGTH: Record<HmacHash, number> = { sha256: 64, sha384: 128, sha512: 128 };

/**
 * Where the padded key and the message are laid out for the two hashes. One buffer for the
 * module (JavaScript runs one call at a time, and each worker thread has its own module), zeroed
 * after every HMAC. Inputs that do not fit use a buffer of their own.
 */
const scratch = Buffer.allocUnsafeSlow(1024).fill(0);

/** `key` XOR `pad`, padded with `pad` to the block length, at the start of `into`. */
function writePaddedKey(into: Buffer, key: Uint8Array, block: number, pad: number): void {
  for (let i = 0; i < key.length; i++) into[i] = key[i]! ^ pad;
  into.fill(pad, key.length, block);
}

/**
 * RFC 2104 HMAC(key, parts[0] ‖ parts[1] ‖ …) from node:crypto's one-shot `hash`, so that no
 * KeyObject is created: `createHmac` wants a KeyObject for speed (a Buffer key is converted on
 * every call, ~20 µs on Node 24), and making a KeyObject per HMAC key costs more than the HMAC of a
 * few dozen bytes. Each node:crypto call costs about a microsecond however small its input, so
 * the padded key and the message are written into one buffer and hashed in one call, twice.
 * This is HMAC exactly (no new construction); `hmac.test.ts` checks it against `createHmac`.
 */
export function hmac(hash: HmacHash, key: Uint8Array, parts: readonly Uint8Array[]): Buffer {
  const block = BLOCK_LENGTH[hash];
  const shortKey = key.length > block ? digest(hash, key, 'buffer') : key;
  let innerLength = block;
  for (const part of parts) innerLength += part.length;
  const used = Math.max(innerLength, block + HASH_LENGTH[hash]);
  const buffer = used <= scratch.length ? scratch : Buffer.alloc(used);
  try {
    writePaddedKey(buffer, shortKey, block, 0x36);
    let offset = block;
    for (const part of parts) {
      buffer.set(part, offset);
      offset += part.length;
    }
    const inner = digest(hash, buffer.subarray(0, innerLength), 'buffer');
    writePaddedKey(buffer, shortKey, block, 0x5c);
    buffer.set(inner, block);
    zeroize(inner);
    return digest(hash, buffer.subarray(0, block + inner.length), 'buffer');
  } finally {
    buffer.fill(0, 0, used);
    if (shortKey !== key) zeroize(shortKey);
  }
}
