import type { FrameCipher } from '../crypto/frame-cipher.js';
import type { CiphertextScratch, FrameOpening } from '../crypto/frame-opening.js';
import type { MessageVerifier } from '../crypto/signature.js';
import { MalformedMessageError } from '../errors.js';
import {
  FINAL_FRAME_MARKER,
  FINAL_FRAME_PREFIX_LENGTH,
  FRAME_IV_LENGTH,
  FRAME_TAG_LENGTH,
  REGULAR_FRAME_PREFIX_LENGTH,
  checkFinalFrameLength,
  checkFrameStart,
  isFrameIv,
  readU32,
} from '../format/body.js';
import { ChunkQueue } from '../format/chunk-queue.js';
import type { HeaderLimits, MessageHeader } from '../format/header.js';
import { assertWithinMaxFrameLength } from '../format/max-frame-length.js';
import { assertWithinMaxFrames } from '../format/max-frames.js';
import { ByteReader } from '../format/reader.js';
import { MAX_NON_FRAMED_CONTENT_LENGTH } from '../limits.js';

/** IV, u64 content length. */
const SINGLE_BLOCK_PREFIX = FRAME_IV_LENGTH + 8;

/** What comes next: a frame's prefix, its ciphertext, its tag, the footer, or nothing. */
type State = 'prefix' | 'ciphertext' | 'tag' | 'footer' | 'done';

/** The frame whose ciphertext is being read. */
interface OpenFrame {
  readonly opening: FrameOpening;
  /** The final frame or the single block: the body ends with it. */
  readonly last: boolean;
  /** Ciphertext bytes not read yet. */
  remaining: number;
}

/**
 * Parses and opens a message body pushed in chunks of any size. A frame's ciphertext is fed to
 * the cipher from the chunks it arrives in (a frame split across chunks is first gathered into
 * one reused buffer: see `FrameOpening`), and its plaintext is returned only after its tag has
 * verified. Every length read is checked against
 * the header's frame length (a non-framed body's against `maxFrameLength`, before any of it is
 * held), and `finish` fails unless the final frame (and, for signed suites, a
 * valid footer) arrived with nothing after it. A truncated body therefore always ends in an error.
 */
export class BodyDecryptor {
  readonly #queue = new ChunkQueue();
  #state: State = 'prefix';
  #expectedSequence = 1;
  #frame: OpenFrame | undefined;
  #scratch: Buffer | undefined;
  /** Frames split across chunks are gathered here; reused from frame to frame. */
  readonly #gatherSplitFrame: CiphertextScratch = (capacity) => {
    if (!this.#scratch || this.#scratch.length < capacity) this.#scratch = Buffer.allocUnsafe(capacity);
    return this.#scratch;
  };

  constructor(
    private readonly header: MessageHeader,
    private readonly cipher: FrameCipher,
    private readonly verifier: MessageVerifier | undefined,
    private readonly limits: Pick<HeaderLimits, 'maxFrameLength' | 'maxFrames'> = {},
  ) {}

  /** True once the body (and footer) have been read and verified. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Plaintext of every frame completed by `chunk`, each already authenticated. */
  push(chunk: Uint8Array): Buffer[] {
    if (this.#state === 'done' && chunk.length > 0) {
      throw new MalformedMessageError('trailing bytes after the end of the message');
    }
    this.#queue.push(chunk);
    const out: Buffer[] = [];
    try {
      while (this.#step(out)) {}
      if (this.#state === 'done' && this.#queue.length > 0) {
        throw new MalformedMessageError('trailing bytes after the end of the message');
      }
    } catch (error) {
      // Frames of a message that turned out bad are not handed out, even though each verified.
      for (const part of out) part.fill(0);
      this.discard();
      throw error;
    }
    return out;
  }

  /** Call at end of input: throws unless the message was complete (all plaintext is out already). */
  finish(): undefined {
    if (this.#state !== 'done') {
      this.discard();
      throw new MalformedMessageError('the message is truncated');
    }
  }

  /** Zeroes the plaintext held for a frame whose tag has not arrived (call when abandoning input). */
  discard(): void {
    this.#frame?.opening.discard();
    this.#frame = undefined;
  }

  /** Reads what the queue holds of the next element; false when it must wait for more bytes. */
  #step(out: Buffer[]): boolean {
    switch (this.#state) {
      case 'prefix':
        return this.header.contentType === 'framed' ? this.#readFramePrefix() : this.#readSingleBlockPrefix();
      case 'ciphertext':
        return this.#readCiphertext();
      case 'tag':
        return this.#readTag(out);
      case 'footer':
        return this.#readFooter();
      case 'done':
        return false;
    }
  }

  #readFramePrefix(): boolean {
    if (this.#queue.length < 4) return false;
    assertWithinMaxFrames(this.#expectedSequence, this.limits.maxFrames);
    const first = readU32(this.#queue.peek(4));
    if (first !== FINAL_FRAME_MARKER) {
      if (this.#queue.length < REGULAR_FRAME_PREFIX_LENGTH) return false;
      const prefix = this.#queue.take(REGULAR_FRAME_PREFIX_LENGTH);
      const iv = prefix.subarray(4);
      checkFrameStart(this.#expectedSequence, first, iv);
      this.verifier?.update(prefix);
      this.#begin(
        this.cipher.beginOpen('frame', first, iv, this.header.frameLength, this.#gatherSplitFrame),
        false,
        this.header.frameLength,
      );
      return true;
    }
    if (this.#queue.length < FINAL_FRAME_PREFIX_LENGTH) return false;
    const prefix = this.#queue.take(FINAL_FRAME_PREFIX_LENGTH);
    const reader = new ByteReader(prefix, 4);
    const sequenceNumber = reader.u32('sequence number');
    const iv = reader.bytesOf(FRAME_IV_LENGTH, 'frame IV');
    const contentLength = reader.u32('final frame length');
    checkFrameStart(this.#expectedSequence, sequenceNumber, iv);
    checkFinalFrameLength(contentLength, this.header.frameLength);
    this.verifier?.update(prefix);
    this.#begin(
      this.cipher.beginOpen('final', sequenceNumber, iv, contentLength, this.#gatherSplitFrame),
      true,
      contentLength,
    );
    return true;
  }

  #readSingleBlockPrefix(): boolean {
    if (this.#queue.length < SINGLE_BLOCK_PREFIX) return false;
    const prefix = this.#queue.take(SINGLE_BLOCK_PREFIX);
    const reader = new ByteReader(prefix);
    const iv = reader.bytesOf(FRAME_IV_LENGTH, 'IV');
    const contentLength = reader.u64('content length');
    if (contentLength > MAX_NON_FRAMED_CONTENT_LENGTH) {
      throw new MalformedMessageError('the non-framed content length exceeds the format limit');
    }
    if (!isFrameIv(iv, 1)) throw new MalformedMessageError('the body IV is not the expected one');
    assertWithinMaxFrameLength('single-block', contentLength, this.limits.maxFrameLength);
    this.verifier?.update(prefix);
    this.#begin(this.cipher.beginOpen('single-block', 1, iv, contentLength), true, contentLength);
    return true;
  }

  #begin(opening: FrameOpening, last: boolean, contentLength: number): void {
    this.#frame = { opening, last, remaining: contentLength };
    this.#state = 'ciphertext';
  }

  #readCiphertext(): boolean {
    const frame = this.#frame!;
    const n = Math.min(frame.remaining, this.#queue.length);
    for (const piece of this.#queue.takeViews(n)) {
      this.verifier?.update(piece);
      frame.opening.update(piece);
    }
    frame.remaining -= n;
    if (frame.remaining > 0) return false;
    this.#state = 'tag';
    return true;
  }

  #readTag(out: Buffer[]): boolean {
    if (this.#queue.length < FRAME_TAG_LENGTH) return false;
    const tag = this.#queue.take(FRAME_TAG_LENGTH);
    this.verifier?.update(tag);
    const frame = this.#frame!;
    this.#frame = undefined;
    out.push(...frame.opening.finish(tag));
    if (frame.last) {
      this.#state = this.verifier ? 'footer' : 'done';
    } else {
      this.#expectedSequence++;
      this.#state = 'prefix';
    }
    return true;
  }

  #readFooter(): boolean {
    if (this.#queue.length < 2) return false;
    const length = new ByteReader(this.#queue.peek(2)).u16('signature length');
    if (this.#queue.length < 2 + length) return false;
    const signature = this.#queue.take(2 + length).subarray(2);
    this.verifier!.finish(signature);
    this.#state = 'done';
    return true;
  }
}
