import type { CipherGCM } from 'node:crypto';

/**
 * One frame being encrypted as its plaintext arrives, in pieces of any size, without copying
 * them. Whether a frame is a regular one is known only once it is full: the final frame has
 * another prefix and another AAD. So its ciphertext is held here until then, and an unfinished
 * frame is handed to `FrameCipher.sealAsFinal` when the plaintext ends.
 */
export class FrameSealing {
  #ciphertext: Buffer[] = [];
  #length = 0;

  constructor(
    readonly sequenceNumber: number,
    private readonly cipher: CipherGCM,
  ) {}

  /** Plaintext bytes taken so far. */
  get length(): number {
    return this.#length;
  }

  /** The ciphertext of the plaintext taken so far, in the pieces it was encrypted in. */
  get ciphertext(): readonly Buffer[] {
    return this.#ciphertext;
  }

  update(plaintext: Uint8Array): void {
    this.#ciphertext.push(this.cipher.update(plaintext));
    this.#length += plaintext.length;
  }

  /** Ends a full regular frame: its tag. */
  finish(): Buffer {
    this.cipher.final();
    return this.cipher.getAuthTag();
  }
}
