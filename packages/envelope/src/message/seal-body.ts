import type { BodyEncryptor, BodySink } from '../body/encryptor.js';

/**
 * Seals a whole plaintext on this thread into `sink`: whole frames one at a time (each handed to
 * `sink` while still in cache; a copying sink's ciphertext buffers are then freed), the tail to
 * `finishInto`, which seals it straight as the final frame.
 */
export function sealBody(
  body: BodyEncryptor,
  frameLength: number,
  plaintext: Uint8Array,
  sink: BodySink,
): void {
  const tailStart = plaintext.length - (plaintext.length % frameLength);
  for (let offset = 0; offset < tailStart; offset += frameLength) {
    body.pushInto(plaintext.subarray(offset, offset + frameLength), sink);
  }
  body.finishInto(plaintext.subarray(tailStart), sink);
}
