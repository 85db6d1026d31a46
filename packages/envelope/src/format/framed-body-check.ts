import { MalformedMessageError } from '../errors.js';
import {
  FINAL_FRAME_MARKER,
  FINAL_FRAME_PREFIX_LENGTH,
  FRAME_TAG_LENGTH,
  REGULAR_FRAME_PREFIX_LENGTH,
  checkFinalFrameLength,
  checkFrameStart,
  readU32,
} from './body.js';

/**
 * Follows the layout of a framed body as it streams past, without decrypting it: frames in
 * order with their own IVs, a final frame no longer than the frame length, nothing after it,
 * and nothing missing at the end. Rewrap uses it so that a new header is never put on a
 * truncated or padded body. Holds at most one frame prefix (24 bytes); the rest is only counted.
 */
export class FramedBodyCheck {
  readonly #prefix = Buffer.alloc(FINAL_FRAME_PREFIX_LENGTH);
  #prefixLength = 0;
  /** Bytes of the current frame's ciphertext and tag still to pass. */
  #toSkip = 0;
  #expectedSequence = 1;
  #inFinalFrame = false;
  #done = false;

  constructor(private readonly frameLength: number) {}

  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#done) throw new MalformedMessageError('trailing bytes after the end of the message');
      if (this.#toSkip > 0) {
        const n = Math.min(this.#toSkip, chunk.length - offset);
        this.#toSkip -= n;
        offset += n;
        if (this.#toSkip === 0) this.#endFrame();
        continue;
      }
      const wanted = this.#prefixWanted() - this.#prefixLength;
      const n = Math.min(wanted, chunk.length - offset);
      this.#prefix.set(chunk.subarray(offset, offset + n), this.#prefixLength);
      this.#prefixLength += n;
      offset += n;
      if (this.#prefixLength === this.#prefixWanted()) this.#readPrefix();
    }
  }

  /** At end of input: throws unless the final frame arrived whole. */
  finish(): void {
    if (!this.#done) throw new MalformedMessageError('the message is truncated');
  }

  /** 4 bytes until they tell a regular frame from the final one, then its whole prefix. */
  #prefixWanted(): number {
    if (this.#prefixLength < 4) return 4;
    return readU32(this.#prefix, 0) === FINAL_FRAME_MARKER
      ? FINAL_FRAME_PREFIX_LENGTH
      : REGULAR_FRAME_PREFIX_LENGTH;
  }

  #readPrefix(): void {
    const first = readU32(this.#prefix, 0);
    if (first === FINAL_FRAME_MARKER) {
      const sequenceNumber = readU32(this.#prefix, 4);
      const contentLength = readU32(this.#prefix, 20);
      checkFrameStart(this.#expectedSequence, sequenceNumber, this.#prefix.subarray(8, 20));
      checkFinalFrameLength(contentLength, this.frameLength);
      this.#inFinalFrame = true;
      this.#toSkip = contentLength + FRAME_TAG_LENGTH;
    } else {
      checkFrameStart(this.#expectedSequence, first, this.#prefix.subarray(4, 16));
      this.#toSkip = this.frameLength + FRAME_TAG_LENGTH;
    }
    this.#prefixLength = 0;
  }

  #endFrame(): void {
    if (this.#inFinalFrame) this.#done = true;
    else this.#expectedSequence++;
  }
}
