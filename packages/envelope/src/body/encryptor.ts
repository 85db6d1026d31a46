import type { FrameCipher } from '../crypto/frame-cipher.js';
import type { MessageSigner } from '../crypto/signature.js';
import { LimitExceededError } from '../errors.js';
import { finalFramePrefix, frameIv, regularFramePrefix } from '../format/body.js';
import { ByteWriter } from '../format/writer.js';
import { MAX_FRAME_COUNT } from '../limits.js';

/**
 * Turns plaintext into framed body bytes, one frame at a time, so that buffered and streaming
 * encryption share one implementation. Full frames are emitted as soon as they are complete;
 * `finish` writes the final frame (empty when the plaintext filled the last frame exactly, as the
 * JavaScript and Python SDKs do) and, for signed suites, the footer.
 */
export class BodyEncryptor {
  #pending: Uint8Array[] = [];
  #pendingLength = 0;
  #sequenceNumber = 1;
  #finished = false;

  constructor(
    private readonly cipher: FrameCipher,
    private readonly frameLength: number,
    private readonly signer: MessageSigner | undefined,
  ) {}

  /** Encrypts what completes a frame; returns the body bytes ready to write (possibly none). */
  push(plaintext: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let offset = 0;
    if (this.#pendingLength > 0) {
      const needed = this.frameLength - this.#pendingLength;
      if (plaintext.length < needed) {
        this.#hold(plaintext);
        return out;
      }
      this.#hold(plaintext.subarray(0, needed));
      offset = needed;
      const frame = Buffer.concat(this.#pending, this.frameLength);
      this.#pending = [];
      this.#pendingLength = 0;
      this.#emitRegular(frame, out);
      frame.fill(0);
    }
    while (plaintext.length - offset >= this.frameLength) {
      this.#emitRegular(plaintext.subarray(offset, offset + this.frameLength), out);
      offset += this.frameLength;
    }
    if (offset < plaintext.length) this.#hold(plaintext.subarray(offset));
    return out;
  }

  /** The final frame and the footer. */
  finish(): Uint8Array[] {
    if (this.#finished) throw new Error('BodyEncryptor.finish called twice');
    this.#finished = true;
    const rest = Buffer.concat(this.#pending, this.#pendingLength);
    this.#pending = [];
    const sequenceNumber = this.#nextSequenceNumber();
    const [ciphertext, tag] = this.cipher.seal('final', sequenceNumber, rest);
    rest.fill(0);
    const out = [
      finalFramePrefix(sequenceNumber, frameIv(sequenceNumber), ciphertext.length),
      ciphertext,
      tag,
    ];
    this.#sign(out);
    if (this.signer) {
      const signature = this.signer.finish();
      out.push(new ByteWriter().u16Prefixed(signature).finish());
    }
    return out;
  }

  #hold(chunk: Uint8Array): void {
    // Copy: the caller may reuse its buffer before the frame is complete.
    this.#pending.push(Uint8Array.from(chunk));
    this.#pendingLength += chunk.length;
  }

  #emitRegular(plaintext: Uint8Array, out: Uint8Array[]): void {
    const sequenceNumber = this.#nextSequenceNumber();
    const [ciphertext, tag] = this.cipher.seal('frame', sequenceNumber, plaintext);
    const parts = [regularFramePrefix(sequenceNumber, frameIv(sequenceNumber)), ciphertext, tag];
    this.#sign(parts);
    out.push(...parts);
  }

  #sign(parts: Uint8Array[]): void {
    if (!this.signer) return;
    for (const part of parts) this.signer.update(part);
  }

  #nextSequenceNumber(): number {
    if (this.#sequenceNumber > MAX_FRAME_COUNT) {
      throw new LimitExceededError(
        'the plaintext needs more than 2^32 - 1 frames: use a larger frame length',
      );
    }
    return this.#sequenceNumber++;
  }
}
