import type { DecipherGCM } from 'node:crypto';
import { DecryptionFailedError } from '../errors.js';

/**
 * One frame being decrypted as its ciphertext arrives, in pieces of any size, without copying
 * them. AES-GCM decrypts incrementally but authenticates only at the end, so the plaintext of
 * each piece is held here, never handed out, until `finish` has checked the tag. On a bad tag
 * the held plaintext is zeroed and `DecryptionFailedError` thrown.
 */
export class FrameOpening {
  #held: Buffer[] = [];

  constructor(private readonly decipher: DecipherGCM) {}

  update(ciphertext: Uint8Array): void {
    const plaintext = this.decipher.update(ciphertext);
    if (plaintext.length > 0) this.#held.push(plaintext);
  }

  /** Checks the tag; only then returns the frame's plaintext (as the pieces it was decrypted in). */
  finish(tag: Uint8Array): Buffer[] {
    const held = this.#held;
    this.#held = [];
    try {
      this.decipher.setAuthTag(tag);
      const rest = this.decipher.final();
      if (rest.length > 0) held.push(rest);
    } catch {
      for (const piece of held) piece.fill(0);
      throw new DecryptionFailedError();
    }
    return held;
  }

  /** Zeroes the plaintext of a frame that will not be finished (truncated or abandoned input). */
  discard(): void {
    for (const piece of this.#held) piece.fill(0);
    this.#held = [];
  }
}
