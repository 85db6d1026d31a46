import type { FrameCipher } from '../crypto/frame-cipher.js';
import type { FrameSealing } from '../crypto/frame-sealing.js';
import { freeNow } from '../crypto/free-now.js';
import type { MessageSigner } from '../crypto/signature.js';
import { LimitExceededError } from '../errors.js';
import { FINAL_FRAME_MARKER, finalFramePrefix, frameIv, regularFramePrefix } from '../format/body.js';
import { ByteWriter } from '../format/writer.js';
import { MAX_FRAME_COUNT } from '../limits.js';

/**
 * Turns plaintext into framed body bytes, one frame at a time, so that buffered and streaming
 * encryption share one implementation. Plaintext is encrypted as it arrives, straight from the
 * caller's chunks (no copy, however they fall); a frame is emitted as soon as it is full.
 * `finish` writes the final frame (empty when the plaintext filled the last frame exactly, as
 * the JavaScript and Python SDKs do) and, for signed suites, the footer.
 */
export class BodyEncryptor {
  /** The frame being filled. */
  #open: FrameSealing | undefined;
  /** Sequence number of the next frame to begin. */
  #sequenceNumber: number;
  #finished = false;

  /** `firstSequenceNumber` is 1 in every message; tests start near the end of the range instead. */
  constructor(
    private readonly cipher: FrameCipher,
    private readonly frameLength: number,
    private readonly signer: MessageSigner | undefined,
    firstSequenceNumber = 1,
  ) {
    this.#sequenceNumber = firstSequenceNumber;
  }

  /** Encrypts `plaintext`; returns the body bytes of the frames it completed (possibly none). */
  push(plaintext: Uint8Array): Uint8Array[] {
    return this.#push(plaintext);
  }

  /**
   * `push`, the frames' bytes handed to `sink`; when the sink copies them, the ciphertext buffers
   * node:crypto made are then freed at once (`freeNow`), not left to the GC.
   */
  pushInto(plaintext: Uint8Array, sink: BodySink): void {
    const made: Buffer[] | undefined = sink.copies ? [] : undefined;
    sink.append(this.#push(plaintext, made));
    if (made) for (const buffer of made) freeNow(buffer);
  }

  /** `finish`, into `sink` as `pushInto`. */
  finishInto(last: Uint8Array, sink: BodySink): void {
    const made: Buffer[] | undefined = sink.copies ? [] : undefined;
    sink.append(this.#finish(last, made));
    if (made) for (const buffer of made) freeNow(buffer);
  }

  /** `made` collects the ciphertext buffers created, for a caller that will free them. */
  #push(plaintext: Uint8Array, made?: Buffer[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    let offset = 0;
    while (offset < plaintext.length) {
      this.#open ??= this.cipher.beginRegular(this.#nextSequenceNumber(), this.frameLength);
      const frame = this.#open;
      const end = Math.min(plaintext.length, offset + this.frameLength - frame.length);
      frame.update(plaintext.subarray(offset, end));
      offset = end;
      if (frame.length === this.frameLength) {
        // A regular frame starting with 0xFFFFFFFF would read as the final-frame marker: the frame
        // with that number can only be the final one, so more plaintext is more than fits.
        if (frame.sequenceNumber === FINAL_FRAME_MARKER) throw tooManyFrames();
        this.#open = undefined;
        made?.push(...frame.ciphertext);
        this.#emit([regularFramePrefix(frame.sequenceNumber), ...frame.ciphertext, frame.finish()], out);
      }
    }
    return out;
  }

  /**
   * The final frame and the footer. `last`, when given, is the end of the plaintext: passing it
   * here rather than to `push` lets its tail be sealed straight as the final frame (one cipher
   * pass, as for a small message encrypted in one call).
   */
  finish(last: Uint8Array = new Uint8Array(0)): Uint8Array[] {
    return this.#finish(last);
  }

  #finish(last: Uint8Array, made?: Buffer[]): Uint8Array[] {
    if (this.#finished) throw new Error('BodyEncryptor.finish called twice');
    // What completes frames goes out as regular frames; the rest is the final frame's content.
    const tail = ((this.#open?.length ?? 0) + last.length) % this.frameLength;
    const head = Math.max(0, last.length - tail);
    const out = this.#push(last.subarray(0, head), made);
    const rest = last.subarray(head);
    this.#finished = true;
    const open = this.#open;
    this.#open = undefined;
    const sequenceNumber = open ? open.sequenceNumber : this.#nextSequenceNumber();
    const [ciphertext, tag] = open
      ? this.cipher.sealAsFinal(open, rest)
      : this.cipher.seal('final', sequenceNumber, rest);
    made?.push(ciphertext);
    this.#emit(
      [finalFramePrefix(sequenceNumber, frameIv(sequenceNumber), ciphertext.length), ciphertext, tag],
      out,
    );
    if (this.signer) {
      const signature = this.signer.finish();
      out.push(new ByteWriter().u16Prefixed(signature).finish());
    }
    return out;
  }

  #emit(parts: Uint8Array[], out: Uint8Array[]): void {
    for (const part of parts) {
      this.signer?.update(part);
      out.push(part);
    }
  }

  #nextSequenceNumber(): number {
    if (this.#sequenceNumber > MAX_FRAME_COUNT) throw tooManyFrames();
    return this.#sequenceNumber++;
  }
}

/** Where `pushInto` and `finishInto` hand a message's body bytes. */
export interface BodySink {
  append(parts: readonly Uint8Array[]): void;
  /** True when `append` copies every part before it returns and keeps none of them. */
  readonly copies: boolean;
}

export function tooManyFrames(): LimitExceededError {
  return new LimitExceededError('the plaintext needs more than 2^32 - 1 frames: use a larger frame length');
}
