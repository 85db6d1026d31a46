import type { BodyEncryptor } from '../body/encryptor.js';

/**
 * Seals a whole plaintext on this thread: whole frames one at a time (each handed to `emit` while
 * still in cache), the tail to `finish`, which seals it straight as the final frame.
 */
export function sealBody(
  body: BodyEncryptor,
  frameLength: number,
  plaintext: Uint8Array,
  emit: (parts: readonly Uint8Array[]) => void,
): void {
  const tailStart = plaintext.length - (plaintext.length % frameLength);
  for (let offset = 0; offset < tailStart; offset += frameLength) {
    emit(body.push(plaintext.subarray(offset, offset + frameLength)));
  }
  emit(body.finish(plaintext.subarray(tailStart)));
}
