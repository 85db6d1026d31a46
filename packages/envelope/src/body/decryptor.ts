import type { FrameCipher } from '../crypto/frame-cipher.js';
import type { MessageVerifier } from '../crypto/signature.js';
import { MalformedMessageError } from '../errors.js';
import { FINAL_FRAME_MARKER, frameIv } from '../format/body.js';
import { ChunkQueue } from '../format/chunk-queue.js';
import { ByteReader } from '../format/reader.js';
import type { MessageHeader } from '../format/header.js';
import { MAX_NON_FRAMED_CONTENT_LENGTH } from '../limits.js';
import { timingSafeEqual } from 'node:crypto';

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
/** Sequence number, IV. */
const REGULAR_PREFIX = 4 + IV_LENGTH;
/** Marker, sequence number, IV, content length. */
const FINAL_PREFIX = 4 + 4 + IV_LENGTH + 4;
/** Largest footer: a u16-prefixed DER signature. */
const MAX_FOOTER = 2 + 0xffff;

type State = 'frames' | 'footer' | 'done';

/**
 * Parses and opens a message body pushed in chunks of any size. Each frame is authenticated
 * before its plaintext is returned, every length read is checked against the header's frame
 * length, and `finish` fails unless the final frame (and, for signed suites, a valid footer)
 * arrived with nothing after it. A truncated body therefore always ends in an error.
 */
export class BodyDecryptor {
  readonly #queue = new ChunkQueue();
  #state: State = 'frames';
  #expectedSequence = 1;

  constructor(
    private readonly header: MessageHeader,
    private readonly cipher: FrameCipher,
    private readonly verifier: MessageVerifier | undefined,
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
      while (this.#state !== 'done') {
        const progressed =
          this.#state === 'footer'
            ? this.#readFooter()
            : this.header.contentType === 'framed'
              ? this.#readFrame(out)
              : this.#readSingleBlock(out);
        if (!progressed) break;
      }
      if (this.#state === 'done' && this.#queue.length > 0) {
        throw new MalformedMessageError('trailing bytes after the end of the message');
      }
    } catch (error) {
      // Frames of a message that turned out bad are not handed out, even though each verified.
      for (const part of out) part.fill(0);
      throw error;
    }
    return out;
  }

  /** Call at end of input: throws unless the message was complete. */
  finish(): void {
    if (this.#state !== 'done') throw new MalformedMessageError('the message is truncated');
  }

  #readFrame(out: Buffer[]): boolean {
    if (this.#queue.length < 4) return false;
    const first = new ByteReader(this.#queue.peek(4)).u32('sequence number');
    const isFinal = first === FINAL_FRAME_MARKER;
    if (isFinal) {
      if (this.#queue.length < FINAL_PREFIX) return false;
      const prefix = new ByteReader(this.#queue.peek(FINAL_PREFIX), 4);
      const sequenceNumber = prefix.u32('sequence number');
      const iv = prefix.bytesOf(IV_LENGTH, 'frame IV');
      const contentLength = prefix.u32('final frame length');
      this.#checkFrameStart(sequenceNumber, iv);
      if (contentLength > this.header.frameLength) {
        throw new MalformedMessageError('the final frame is longer than the frame length');
      }
      const total = FINAL_PREFIX + contentLength + TAG_LENGTH;
      if (this.#queue.length < total) return false;
      const frame = this.#queue.take(total);
      this.verifier?.update(frame);
      const ciphertext = frame.subarray(FINAL_PREFIX, FINAL_PREFIX + contentLength);
      const tag = frame.subarray(FINAL_PREFIX + contentLength);
      out.push(this.cipher.open('final', sequenceNumber, iv, ciphertext, tag));
      this.#state = this.verifier ? 'footer' : 'done';
      return true;
    }
    const total = REGULAR_PREFIX + this.header.frameLength + TAG_LENGTH;
    if (this.#queue.length < REGULAR_PREFIX) return false;
    const iv = this.#queue.peek(REGULAR_PREFIX).subarray(4);
    this.#checkFrameStart(first, iv);
    if (this.#queue.length < total) return false;
    const frame = this.#queue.take(total);
    this.verifier?.update(frame);
    const ciphertext = frame.subarray(REGULAR_PREFIX, REGULAR_PREFIX + this.header.frameLength);
    const tag = frame.subarray(REGULAR_PREFIX + this.header.frameLength);
    out.push(this.cipher.open('frame', first, iv, ciphertext, tag));
    this.#expectedSequence++;
    return true;
  }

  #checkFrameStart(sequenceNumber: number, iv: Uint8Array): void {
    if (sequenceNumber !== this.#expectedSequence) {
      throw new MalformedMessageError('frames are out of order, missing or repeated');
    }
    if (!timingSafeEqual(iv, frameIv(sequenceNumber))) {
      throw new MalformedMessageError('a frame IV does not match its sequence number');
    }
  }

  #readSingleBlock(out: Buffer[]): boolean {
    const prefixLength = IV_LENGTH + 8;
    if (this.#queue.length < prefixLength) return false;
    const prefix = new ByteReader(this.#queue.peek(prefixLength));
    const iv = prefix.bytesOf(IV_LENGTH, 'IV');
    const contentLength = prefix.u64('content length');
    if (contentLength > MAX_NON_FRAMED_CONTENT_LENGTH) {
      throw new MalformedMessageError('the non-framed content length exceeds the format limit');
    }
    if (!timingSafeEqual(iv, frameIv(1)))
      throw new MalformedMessageError('the body IV is not the expected one');
    const total = prefixLength + contentLength + TAG_LENGTH;
    if (this.#queue.length < total) return false;
    const block = this.#queue.take(total);
    this.verifier?.update(block);
    const ciphertext = block.subarray(prefixLength, prefixLength + contentLength);
    out.push(
      this.cipher.open('single-block', 1, iv, ciphertext, block.subarray(prefixLength + contentLength)),
    );
    this.#state = this.verifier ? 'footer' : 'done';
    return true;
  }

  #readFooter(): boolean {
    if (this.#queue.length < 2) return false;
    const length = new ByteReader(this.#queue.peek(2)).u16('signature length');
    if (2 + length > MAX_FOOTER) throw new MalformedMessageError('the footer is too long');
    if (this.#queue.length < 2 + length) return false;
    const signature = this.#queue.take(2 + length).subarray(2);
    this.verifier!.finish(signature);
    this.#state = 'done';
    return true;
  }
}
