import type { KeyObject } from 'node:crypto';
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
  frameAad,
  readU32,
  regularFrameSize,
} from '../format/body.js';
import type { MessageHeader } from '../format/header.js';
import { assertWithinMaxFrames } from '../format/max-frames.js';
import type { FrameTask } from './frame-job.js';
import type { FramePool } from './frame-pool.js';
import { runFrameJobs } from './run-jobs.js';
import { SharedKey } from './shared-key.js';

/** Ciphertext per window and thread (as for sealing). */
const WINDOW_BYTES_PER_THREAD = 1024 * 1024;
/** Windows being opened while the next one fills. */
const WINDOWS_IN_FLIGHT = 2;

interface Window {
  /** Body bytes as they arrived: whole frames, then the start of the next one. */
  readonly input: Uint8Array<SharedArrayBuffer>;
  /** Authenticated plaintext of its frames, written by the workers. */
  readonly output: Uint8Array<SharedArrayBuffer>;
  filled: number;
  plaintextLength: number;
  tasks: FrameTask[];
}

interface Opening {
  readonly window: Window;
  readonly done: Promise<void>;
  settled: boolean;
}

/** What the bytes being read belong to. */
type Element = 'marker' | 'prefix' | 'frame' | 'footer-length' | 'footer' | 'done';

/**
 * The streaming body decryptor on worker threads, for framed bodies. Body bytes are copied into
 * a window of shared memory; this thread checks each frame prefix as it completes (the checks
 * of `BodyDecryptor`) and feeds the verifier of signed suites, in order; a window of whole
 * frames goes to the workers while the next fills. A window's plaintext is released, in order,
 * only when every frame in it authenticated (later than `BodyDecryptor` would release each
 * frame: a window at a time). A bad tag fails the stream with `ERR_DECRYPTION_FAILED` at the next
 * step; `finish` fails unless the final frame (and footer) arrived with nothing after them.
 * Windows are zeroed when done with, and on `discard` or any failure.
 */
export class ParallelBodyDecryptor {
  readonly #frameLength: number;
  readonly #windowCapacity: number;
  readonly #key: SharedKey;
  readonly #free: Window[] = [];
  readonly #opening: Opening[] = [];
  #current: Window;
  #element: Element = 'marker';
  /** Where the element being read starts in the current window, and how long it is. */
  #elementAt = 0;
  #elementLength = 4;
  #expectedSequence = 1;
  #final = false;
  #footer: Buffer | undefined;
  #footerFilled = 0;
  #ended = false;

  constructor(
    private readonly header: MessageHeader,
    key: KeyObject,
    private readonly verifier: MessageVerifier | undefined,
    private readonly pool: FramePool,
    private readonly maxFrames?: number | undefined,
  ) {
    this.#frameLength = header.frameLength;
    const size = regularFrameSize(header.frameLength);
    const frames = Math.max(1, Math.floor((WINDOW_BYTES_PER_THREAD * pool.size) / header.frameLength));
    // Room for the final frame's longer prefix after the window's last regular frame.
    this.#windowCapacity = frames * size + (FINAL_FRAME_PREFIX_LENGTH - REGULAR_FRAME_PREFIX_LENGTH);
    this.#key = new SharedKey(key);
    this.#current = this.#newWindow();
  }

  get done(): boolean {
    return this.#element === 'done';
  }

  push(chunk: Uint8Array): Buffer[] | Promise<Buffer[]> {
    try {
      this.#take(chunk);
    } catch (error) {
      return this.#failAfterEarlierFrames(error);
    }
    const ready = this.#settledCount();
    const mustWait = this.#opening.length - WINDOWS_IN_FLIGHT;
    if (mustWait > 0) return this.#collect(Math.max(mustWait, ready));
    return ready > 0 ? this.#collect(ready) : [];
  }

  /** The plaintext of every window still opening; throws unless the message was complete and verified. */
  async finish(): Promise<Buffer[]> {
    if (this.#current.tasks.length > 0) this.#dispatch();
    const out = await this.#collect(this.#opening.length);
    try {
      if (this.#element !== 'done') throw new MalformedMessageError('the message is truncated');
      this.#ended = true;
      this.#key.wipe();
      return out;
    } catch (error) {
      for (const part of out) part.fill(0);
      this.discard();
      throw error;
    }
  }

  /**
   * Fails with `error`, unless a frame before the point of failure did not authenticate: that
   * failure is reported instead, as the one-frame-at-a-time reader would have met it first.
   */
  async #failAfterEarlierFrames(error: unknown): Promise<never> {
    const out = await this.#collect(this.#opening.length);
    for (const part of out) part.fill(0);
    this.discard();
    throw error;
  }

  discard(): void {
    if (this.#ended) return;
    this.#ended = true;
    const pending = this.#opening.splice(0);
    void Promise.allSettled(pending.map((o) => o.done)).then(() => {
      for (const { window } of pending) window.output.fill(0);
      this.#key.wipe();
    });
    this.#current.output.fill(0);
    for (const window of this.#free) window.output.fill(0);
  }

  #take(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#element === 'done')
        throw new MalformedMessageError('trailing bytes after the end of the message');
      if (this.#element === 'footer-length' || this.#element === 'footer') {
        offset += this.#takeFooter(chunk.subarray(offset));
        continue;
      }
      const window = this.#current;
      const wanted = this.#elementAt + this.#elementLength - window.filled;
      const n = Math.min(wanted, chunk.length - offset);
      window.input.set(chunk.subarray(offset, offset + n), window.filled);
      window.filled += n;
      offset += n;
      if (n === wanted) this.#endElement();
    }
  }

  /** The element that just completed in the current window: checks it and sets up the next. */
  #endElement(): void {
    const window = this.#current;
    const at = this.#elementAt;
    switch (this.#element) {
      case 'marker': {
        assertWithinMaxFrames(this.#expectedSequence, this.maxFrames);
        this.#final = readU32(window.input, at) === FINAL_FRAME_MARKER;
        this.#element = 'prefix';
        this.#elementLength = this.#final ? FINAL_FRAME_PREFIX_LENGTH : REGULAR_FRAME_PREFIX_LENGTH;
        return;
      }
      case 'prefix': {
        const sequenceNumber = readU32(window.input, this.#final ? at + 4 : at);
        const ivAt = at + (this.#final ? 8 : 4);
        checkFrameStart(
          this.#expectedSequence,
          sequenceNumber,
          window.input.subarray(ivAt, ivAt + FRAME_IV_LENGTH),
        );
        const contentLength = this.#final ? readU32(window.input, at + 20) : this.#frameLength;
        if (this.#final) checkFinalFrameLength(contentLength, this.#frameLength);
        this.#element = 'frame';
        this.#elementLength += contentLength + FRAME_TAG_LENGTH;
        return;
      }
      case 'frame': {
        const prefixLength = this.#final ? FINAL_FRAME_PREFIX_LENGTH : REGULAR_FRAME_PREFIX_LENGTH;
        const contentLength = this.#elementLength - prefixLength - FRAME_TAG_LENGTH;
        const contentAt = at + prefixLength;
        const base = window.input.byteOffset;
        const ivAt = at + (this.#final ? 8 : 4);
        window.tasks.push({
          iv: Buffer.from(window.input.subarray(ivAt, ivAt + FRAME_IV_LENGTH)),
          aad: frameAad(
            this.header.messageId,
            this.#final ? 'final' : 'frame',
            this.#expectedSequence,
            contentLength,
          ),
          from: base + contentAt,
          length: contentLength,
          to: window.output.byteOffset + window.plaintextLength,
          tagAt: base + contentAt + contentLength,
        });
        window.plaintextLength += contentLength;
        this.#expectedSequence++;
        const last = this.#final;
        this.#element = 'marker';
        this.#elementAt = window.filled;
        this.#elementLength = 4;
        if (last) {
          this.#dispatch();
          this.#element = this.verifier ? 'footer-length' : 'done';
        } else if (this.#windowCapacity - window.filled < regularFrameSize(this.#frameLength) + 8) {
          this.#dispatch();
        }
        return;
      }
      default:
        return;
    }
  }

  /** Reads footer bytes (signed suites) into their own buffer; verifies once complete. */
  #takeFooter(bytes: Uint8Array): number {
    this.#footer ??= Buffer.alloc(2);
    const wanted = (this.#element === 'footer-length' ? 2 : this.#footer.length) - this.#footerFilled;
    const n = Math.min(wanted, bytes.length);
    this.#footer.set(bytes.subarray(0, n), this.#footerFilled);
    this.#footerFilled += n;
    if (n < wanted) return n;
    if (this.#element === 'footer-length') {
      const length = 2 + ((this.#footer[0]! << 8) | this.#footer[1]!);
      const footer = Buffer.alloc(length);
      footer.set(this.#footer);
      this.#footer = footer;
      this.#element = 'footer';
      if (footer.length > 2) return n;
    }
    // Every window was fed to the verifier when it was dispatched, in order.
    this.verifier!.finish(this.#footer.subarray(2));
    this.#element = 'done';
    return n;
  }

  #dispatch(): void {
    const window = this.#current;
    const frameBytes = this.#elementAt;
    // The verifier sees the body in order: each window's whole frames as it goes out.
    this.verifier?.update(window.input.subarray(0, frameBytes));
    const { suite } = this.header;
    const done = runFrameJobs(
      this.pool,
      {
        op: 'open',
        cipher: suite.cipher,
        tagLength: suite.tagLength,
        input: window.input.buffer,
        output: window.output.buffer,
      },
      this.#key,
      window.tasks,
      frameBytes,
      // One job per thread: the next window keeps them busy, and every round trip costs a wake-up.
      1,
    );
    const opening: Opening = { window, done, settled: false };
    done.then(
      () => {
        opening.settled = true;
      },
      () => {
        opening.settled = true;
      },
    );
    this.#opening.push(opening);
    // What already arrived of the next frame moves to the start of a fresh window.
    const next = this.#free.pop() ?? this.#newWindow();
    next.input.set(window.input.subarray(frameBytes, window.filled));
    next.filled = window.filled - frameBytes;
    this.#elementAt = 0;
    this.#current = next;
  }

  #settledCount(): number {
    let n = 0;
    while (n < this.#opening.length && this.#opening[n]!.settled) n++;
    return n;
  }

  /** The plaintext of the oldest `count` windows, in order, each authenticated whole. */
  async #collect(count: number): Promise<Buffer[]> {
    const out: Buffer[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const { window, done } = this.#opening[0]!;
        await done;
        this.#opening.shift();
        if (window.plaintextLength > 0)
          out.push(Buffer.from(window.output.subarray(0, window.plaintextLength)));
        window.output.fill(0, 0, window.plaintextLength);
        window.filled = 0;
        window.plaintextLength = 0;
        window.tasks = [];
        this.#free.push(window);
      }
    } catch (error) {
      for (const part of out) part.fill(0);
      this.discard();
      throw error;
    }
    return out;
  }

  #newWindow(): Window {
    return {
      input: new Uint8Array(new SharedArrayBuffer(this.#windowCapacity)),
      output: new Uint8Array(new SharedArrayBuffer(this.#windowCapacity)),
      filled: 0,
      plaintextLength: 0,
      tasks: [],
    };
  }
}
