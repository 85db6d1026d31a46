import { hash as digest } from 'node:crypto';
import { zeroize } from './zeroize.js';

export type HmacHash = 'sha256' | 'sha384' | 'sha512';

export const HASH_LENGTH: Record<HmacHash, number> = { sha256: 32, sha384: 48, sha512: 64 };
const BLOCK_LENGTH: Record<HmacHash, number> = { sha256: 64, sha384: 128, sha512: 128 };

/**
 * An HMAC key prepared once: the key XOR ipad and XOR opad (RFC 2104), for several HMACs under the
 * same key (HKDF's expands). Zero it with `wipe` when done.
 */
export interface HmacPads {
  readonly hash: HmacHash;
  readonly inner: Buffer;
  readonly outer: Buffer;
}

/**
 * RFC 2104 HMAC from node:crypto's one-shot `hash`, so that no KeyObject is created: node:crypto's
 * `createHmac` wants a KeyObject for speed (a Buffer key is converted on every call, ~30 µs on
 * Node 24), and a KeyObject per HMAC key costs more than the HMAC of a few dozen bytes. This is
 * HMAC exactly (no new construction); `hmac.test.ts` checks it against `createHmac`.
 */
export function hmacPads(hash: HmacHash, key: Uint8Array): HmacPads {
  const block = BLOCK_LENGTH[hash];
  const shortKey = key.length > block ? digest(hash, key, 'buffer') : key;
  const inner = Buffer.alloc(block, 0x36);
  const outer = Buffer.alloc(block, 0x5c);
  for (let i = 0; i < shortKey.length; i++) {
    inner[i]! ^= shortKey[i]!;
    outer[i]! ^= shortKey[i]!;
  }
  if (shortKey !== key) zeroize(shortKey);
  return { hash, inner, outer };
}

export function wipePads(pads: HmacPads): void {
  zeroize(pads.inner);
  zeroize(pads.outer);
}

/** HMAC(key, parts[0] ‖ parts[1] ‖ …) under prepared pads. */
export function hmacWithPads(pads: HmacPads, parts: readonly Uint8Array[]): Buffer {
  const innerInput = Buffer.concat([pads.inner, ...parts]);
  const innerHash = digest(pads.hash, innerInput, 'buffer');
  zeroize(innerInput);
  const outerInput = Buffer.concat([pads.outer, innerHash]);
  zeroize(innerHash);
  const mac = digest(pads.hash, outerInput, 'buffer');
  zeroize(outerInput);
  return mac;
}
