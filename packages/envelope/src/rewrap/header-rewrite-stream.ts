import { Transform, type TransformCallback } from 'node:stream';
import type { RecipientFailure } from '../errors.js';
import { FramedBodyCheck } from '../format/framed-body-check.js';
import type { MessageHeader } from '../format/header.js';
import { type CompleteHeader, HeaderAccumulator } from '../stream/header-accumulator.js';
import { bindSignal } from '../stream/node-streams.js';
import type { RewrapOptions } from './options.js';
import { rewrapHeader } from './header-rewrite.js';

/**
 * Header-only `rewrapStream` (see RewrapMethod for why it is expert-only): collects the header, writes the new one, then passes every body byte
 * through as it arrives (constant memory; the body is neither buffered nor decrypted). The body's
 * frame layout is followed as it passes, so a truncated or padded message ends in an error.
 */
export class HeaderRewriteStream extends Transform {
  readonly #accumulator: HeaderAccumulator;
  #header: MessageHeader | undefined;
  #body: FramedBodyCheck | undefined;
  #missingRecipients: readonly RecipientFailure[] = [];

  constructor(private readonly options: RewrapOptions) {
    super();
    this.#accumulator = new HeaderAccumulator(options);
    bindSignal(this, options.signal);
  }

  /** The new header, once written. */
  get header(): MessageHeader | undefined {
    return this.#header;
  }

  get missingRecipients(): readonly RecipientFailure[] {
    return this.#missingRecipients;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#header) {
      this.#passBody(chunk, callback);
      return;
    }
    let complete: CompleteHeader | undefined;
    try {
      complete = this.#accumulator.push(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (!complete) callback();
    else this.#writeHeader(complete, callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#header) {
      this.#finishBody(callback);
      return;
    }
    try {
      this.#writeHeader(this.#accumulator.finish(), callback, true);
    } catch (error) {
      callback(error as Error);
    }
  }

  /** `atEnd`: the input ended with the header's chunk, so the body must be complete too. */
  #writeHeader(complete: CompleteHeader, callback: TransformCallback, atEnd = false): void {
    rewrapHeader(complete.header, this.options).then((rewrapped) => {
      this.#header = rewrapped.header;
      this.#body = new FramedBodyCheck(rewrapped.header.frameLength);
      this.#missingRecipients = rewrapped.missingRecipients;
      this.push(rewrapped.headerBytes);
      this.#passBody(complete.rest, (error, data) => {
        if (error || !atEnd) callback(error, data);
        else {
          if (data) this.push(data);
          this.#finishBody(callback);
        }
      });
    }, callback);
  }

  #finishBody(callback: TransformCallback): void {
    try {
      this.#body?.finish();
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  /** Checks the chunk against the body's layout before passing it on. */
  #passBody(chunk: Uint8Array, callback: TransformCallback): void {
    try {
      this.#body?.push(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk.length > 0 ? chunk : undefined);
  }
}
