import { createHmac } from 'node:crypto';
import { zeroize } from '@polykms/envelope';

const SEPARATOR = Buffer.of(0x00);

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/**
 * NIST SP 800-108r1 key derivation in counter mode with HMAC-SHA-384 as the PRF, laid out as the
 * AWS Cryptographic Material Providers do: block i = HMAC(key, [i]₃₂ ‖ label ‖ 0x00 ‖ context ‖
 * [L]₃₂), i from 1, L the output length in bits. Written here rather than taken from
 * `@aws-crypto/kdf-ctr-mode-node` so that every intermediate block is zeroed; the ESDK vectors
 * pin it byte for byte.
 */
export function kdfCounterHmacSha384(
  key: Uint8Array,
  label: Uint8Array,
  context: Uint8Array,
  outputBytes: number,
): Buffer {
  const output = Buffer.alloc(outputBytes);
  const lengthInBits = u32(outputBytes * 8);
  for (let counter = 1, at = 0; at < outputBytes; counter++) {
    const block = createHmac('sha384', key)
      .update(u32(counter))
      .update(label)
      .update(SEPARATOR)
      .update(context)
      .update(lengthInBits)
      .digest();
    at += block.copy(output, at, 0, Math.min(block.length, outputBytes - at));
    zeroize(block);
  }
  return output;
}
