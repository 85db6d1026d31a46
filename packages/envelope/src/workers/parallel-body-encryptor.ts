import { tooManyFrames } from '../body/encryptor.js';
import { FrameCipher } from '../crypto/frame-cipher.js';
import {
  FINAL_FRAME_MARKER,
  REGULAR_FRAME_PREFIX_LENGTH,
  finalFramePrefix,
  frameAad,
  frameIv,
  regularFramePrefix,
  regularFrameSize,
} from '../format/body.js';
import { ByteWriter } from '../format/writer.js';
import type { PreparedEncryption } from '../message/prepare-encryption.js';
import type { FrameTask } from './frame-job.js';
import type { FramePool } from './frame-pool.js';
import { runFrameJobs } from './run-jobs.js';
import { SharedKey } from './shared-key.js';

/** Plaintext per window and thread: enough for a few jobs, little enough to keep streaming memory flat. */
const WINDOW_BYTES_PER_THREAD = 1024 * 1024;
/** Windows being sealed while the next one fills. */
const WINDOWS_IN_FLIGHT = 2;

interface Window {
  /** Body bytes of `frames` full frames: prefix ‖ plaintext, later ciphertext ‖ tag. */
  readonly bytes: Uint8Array<SharedArrayBuffer>;
  /** Sequence number of its first frame. */
  firstSequence: number;
  /** Full frames written; the frame after them may be partly filled (`partial` bytes). */
  frames: number;
  partial: number;
}

interface Sealing {
  readonly window: Window;
  readonly done: Promise<void>;
}

/**
 * The streaming body encryptor on worker threads: the same frames as `BodyEncryptor` (regular
 * frames as they fill, the rest as the final frame), sealed a window of frames at a time. Plaintext
 * is copied into a window of shared memory at the places its ciphertext will take; a full window
 * is handed to the workers while the next fills, and its bytes are returned, in order, once
 * sealed (the signer of signed suites is fed here, in order). The final frame, shorter than a
 * frame, is sealed on this thread. Memory: `WINDOWS_IN_FLIGHT + 1` windows. `discard` (or any
 * failure) zeroes the windows, which may hold plaintext, and the shared key.
 */
export class ParallelBodyEncryptor {
  readonly #frameLength: number;
  readonly #regularSize: number;
  readonly #framesPerWindow: number;
  readonly #key: SharedKey;
  readonly #cipher: FrameCipher;
  readonly #free: Window[] = [];
  readonly #sealing: Sealing[] = [];
  #current: Window;
  #nextSequence = 1;
  #ended = false;

  constructor(
    private readonly prepared: PreparedEncryption,
    private readonly pool: FramePool,
  ) {
    const { suite, messageId, frameLength } = prepared.header;
    this.#frameLength = frameLength;
    this.#regularSize = regularFrameSize(frameLength);
    this.#framesPerWindow = Math.max(1, Math.floor((WINDOW_BYTES_PER_THREAD * pool.size) / frameLength));
    this.#key = new SharedKey(prepared.frameKey);
    this.#cipher = new FrameCipher(suite, prepared.frameKey, messageId);
    this.#current = this.#newWindow();
  }

  /** Takes plaintext; returns the body bytes of windows sealed meanwhile (a promise when it must wait for one). */
  push(plaintext: Uint8Array): Uint8Array[] | Promise<Uint8Array[]> {
    let offset = 0;
    while (offset < plaintext.length) {
      const window = this.#current;
      const frameStart = window.frames * this.#regularSize + REGULAR_FRAME_PREFIX_LENGTH;
      const n = Math.min(this.#frameLength - window.partial, plaintext.length - offset);
      window.bytes.set(plaintext.subarray(offset, offset + n), frameStart + window.partial);
      window.partial += n;
      offset += n;
      if (window.partial === this.#frameLength) {
        window.frames++;
        window.partial = 0;
        if (window.frames === this.#framesPerWindow) this.#dispatch();
      }
    }
    return this.#sealing.length > WINDOWS_IN_FLIGHT
      ? this.#collect(this.#sealing.length - WINDOWS_IN_FLIGHT)
      : [];
  }

  /** Every window still sealing, the final frame and the footer. */
  async finish(): Promise<Uint8Array[]> {
    const last = this.#current;
    const restAt = last.frames * this.#regularSize + REGULAR_FRAME_PREFIX_LENGTH;
    const rest = Buffer.from(last.bytes.subarray(restAt, restAt + last.partial));
    last.bytes.fill(0, restAt, restAt + last.partial);
    last.partial = 0;
    try {
      if (last.frames > 0) this.#dispatch();
      const out = await this.#collect(this.#sealing.length);
      const sequenceNumber = this.#nextSequence;
      if (sequenceNumber > FINAL_FRAME_MARKER) throw tooManyFrames();
      const [ciphertext, tag] = this.#cipher.seal('final', sequenceNumber, rest);
      this.#emit(
        [finalFramePrefix(sequenceNumber, frameIv(sequenceNumber), ciphertext.length), ciphertext, tag],
        out,
      );
      if (this.prepared.signer)
        out.push(new ByteWriter().u16Prefixed(this.prepared.signer.finish()).finish());
      this.#ended = true;
      this.#key.wipe();
      return out;
    } finally {
      rest.fill(0);
    }
  }

  /** Zeroes what may hold plaintext once no worker uses it any more. */
  discard(): void {
    if (this.#ended) return;
    this.#ended = true;
    const pending = this.#sealing.splice(0);
    void Promise.allSettled(pending.map((s) => s.done)).then(() => {
      for (const { window } of pending) window.bytes.fill(0);
      this.#key.wipe();
    });
    this.#current.bytes.fill(0);
    for (const window of this.#free) window.bytes.fill(0);
  }

  #dispatch(): void {
    const window = this.#current;
    window.firstSequence = this.#nextSequence;
    // A regular frame numbered 0xFFFFFFFF would read as the final-frame marker.
    if (window.firstSequence + window.frames > FINAL_FRAME_MARKER) throw tooManyFrames();
    this.#nextSequence += window.frames;
    const { messageId, suite } = this.prepared.header;
    const base = window.bytes.byteOffset;
    const tasks: FrameTask[] = [];
    for (let i = 0; i < window.frames; i++) {
      const n = window.firstSequence + i;
      const at = i * this.#regularSize;
      window.bytes.set(regularFramePrefix(n), at);
      const contentAt = base + at + REGULAR_FRAME_PREFIX_LENGTH;
      tasks.push({
        iv: frameIv(n),
        aad: frameAad(messageId, 'frame', n, this.#frameLength),
        from: contentAt,
        length: this.#frameLength,
        to: contentAt,
        tagAt: contentAt + this.#frameLength,
      });
    }
    const done = runFrameJobs(
      this.pool,
      {
        op: 'seal',
        cipher: suite.cipher,
        tagLength: suite.tagLength,
        input: window.bytes.buffer,
        output: window.bytes.buffer,
      },
      this.#key,
      tasks,
      window.frames * this.#frameLength,
      // One job per thread: the next window keeps them busy, and every round trip costs a wake-up.
      1,
    );
    // Failures surface through #collect; this only keeps an early one from going unhandled.
    done.catch(() => {});
    this.#sealing.push({ window, done });
    this.#current = this.#free.pop() ?? this.#newWindow();
  }

  /** The sealed bytes of the oldest `count` windows, in order; each window is then reused. */
  async #collect(count: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const { window, done } = this.#sealing[0]!;
        await done;
        this.#sealing.shift();
        // A copy: the caller may keep what it is given, and the window is reused.
        this.#emit([Buffer.from(window.bytes.subarray(0, window.frames * this.#regularSize))], out);
        window.frames = 0;
        this.#free.push(window);
      }
    } catch (error) {
      this.discard();
      throw error;
    }
    return out;
  }

  #emit(parts: readonly Uint8Array[], out: Uint8Array[]): void {
    for (const part of parts) {
      this.prepared.signer?.update(part);
      out.push(part);
    }
  }

  #newWindow(): Window {
    const bytes = new Uint8Array(new SharedArrayBuffer(this.#framesPerWindow * this.#regularSize));
    return { bytes, firstSequence: 0, frames: 0, partial: 0 };
  }
}
