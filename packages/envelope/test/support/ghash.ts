import { createCipheriv } from 'node:crypto';

/**
 * GHASH (NIST SP 800-38D) written from the spec with BigInt, for tests that show what a repeated
 * (key, nonce) pair gives away. Slow and not constant time: never use it outside a test.
 */

/** The reduction constant: x^128 + x^7 + x^2 + x + 1, in GCM's reflected bit order. */
const R = 0xe1n << 120n;

function toBigInt(block: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(block).toString('hex') || '0'}`);
}

export function toBlock(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(32, '0'), 'hex');
}

/** Multiplication in GF(2^128), bit 0 being the most significant bit of the block. */
function multiply(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = x;
  for (let i = 127n; i >= 0n; i--) {
    if ((y >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}

/** AES_K(block), one block. */
export function encryptBlock(key: Uint8Array, block: Uint8Array): bigint {
  const cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  return toBigInt(Buffer.concat([cipher.update(block), cipher.final()]));
}

/** The hash subkey H = AES_K(0^128). */
export function hashSubkey(key: Uint8Array): bigint {
  return encryptBlock(key, Buffer.alloc(16));
}

/** GHASH_H(A ‖ pad ‖ len(A) ‖ len(C)) for an empty ciphertext, as a header tag uses it. */
export function ghashOfAad(h: bigint, aad: Uint8Array): bigint {
  const padded = Buffer.concat([aad, Buffer.alloc((16 - (aad.length % 16)) % 16)]);
  const lengths = Buffer.alloc(16);
  lengths.writeBigUInt64BE(BigInt(aad.length) * 8n, 0);
  let y = 0n;
  for (let at = 0; at <= padded.length; at += 16) {
    const block = at < padded.length ? padded.subarray(at, at + 16) : lengths;
    y = multiply(y ^ toBigInt(block), h);
  }
  return y;
}

export function blockOf(bytes: Uint8Array): bigint {
  return toBigInt(bytes);
}
