import type { DecipherGCM } from 'node:crypto';
import { DecryptionFailedError } from '../errors.js';

/**
 * Where a frame's ciphertext is gathered when it arrives split across chunks: returns a buffer of
 * at least `capacity` bytes, the same one for every frame of a message once it is large enough
 * (ciphertext only: nothing secret in it).
 */
export type CiphertextScratch = (capacity: number) => Buffer;

/**
 * One frame being decrypted as its ciphertext arrives, in pieces of any size. AES-GCM
 * authenticates only at the end, so no plaintext is handed out before `finish` has checked the
 * tag; on a bad tag the plaintext is zeroed and `DecryptionFailedError` thrown.
 *
 * A frame that arrives whole is decrypted from the view it came in. With a scratch, a frame that
 * arrives in pieces is gathered there first and decrypted in one call: decrypting each piece
 * separately allocated plaintext buffers of every size (a 64 KiB + 32-byte frame falls across
 * 64 KiB chunks at a different place each time), which fragmented the allocator and raised the
 * peak memory of a streamed decrypt by about 10 MiB. Without a scratch (a non-framed body, whose
 * one block may be gigabytes), each piece is decrypted as it arrives.
 */
export class FrameOpening {
  #plaintext: Buffer[] = [];
  #gathered: Buffer | undefined;
  #gatheredLength = 0;

  constructor(
    private readonly decipher: DecipherGCM,
    private readonly contentLength: number,
    private readonly scratch?: CiphertextScratch,
  ) {}

  update(ciphertext: Uint8Array): void {
    const whole = this.#gatheredLength === 0 && ciphertext.length === this.contentLength;
    if (whole || !this.scratch) {
      this.#hold(this.decipher.update(ciphertext));
      return;
    }
    this.#gather(ciphertext, this.scratch);
  }

  /** Checks the tag; only then returns the frame's plaintext. */
  finish(tag: Uint8Array): Buffer[] {
    if (this.#gathered) this.#hold(this.decipher.update(this.#gathered.subarray(0, this.#gatheredLength)));
    this.#gathered = undefined;
    const held = this.#plaintext;
    this.#plaintext = [];
    try {
      this.decipher.setAuthTag(tag);
      this.#hold(this.decipher.final(), held);
    } catch {
      for (const piece of held) piece.fill(0);
      throw new DecryptionFailedError();
    }
    return held;
  }

  /** Zeroes the plaintext of a frame that will not be finished (truncated or abandoned input). */
  discard(): void {
    for (const piece of this.#plaintext) piece.fill(0);
    this.#plaintext = [];
    this.#gathered = undefined;
  }

  /**
   * Grows with what arrived (at most doubling), never straight to the content length: the frame
   * length is the writer's choice, and a message claiming gigabytes must not get them allocated
   * before they arrive.
   */
  #gather(ciphertext: Uint8Array, scratch: CiphertextScratch): void {
    const needed = this.#gatheredLength + ciphertext.length;
    if (!this.#gathered || this.#gathered.length < needed) {
      const capacity = Math.min(this.contentLength, Math.max(needed, 2 * (this.#gathered?.length ?? 0)));
      const grown = scratch(capacity);
      if (this.#gathered && grown !== this.#gathered) {
        grown.set(this.#gathered.subarray(0, this.#gatheredLength));
      }
      this.#gathered = grown;
    }
    this.#gathered.set(ciphertext, this.#gatheredLength);
    this.#gatheredLength = needed;
  }

  #hold(plaintext: Buffer, into: Buffer[] = this.#plaintext): void {
    if (plaintext.length > 0) into.push(plaintext);
  }
}
