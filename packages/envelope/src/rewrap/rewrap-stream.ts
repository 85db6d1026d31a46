import { Transform, type TransformCallback } from 'node:stream';
import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { cancelledError } from '../stream/cancellation.js';
import { type CompleteHeader, HeaderAccumulator } from '../stream/header-accumulator.js';
import type { RewrapOptions } from './options.js';
import { rewrapHeader } from './rewrap-header.js';

/**
 * `rewrap` as a Transform: collects the header, writes the new one, then passes every body byte
 * through as it arrives (constant memory; the body is neither buffered nor decrypted).
 */
export class RewrapStream extends Transform {
  readonly #accumulator: HeaderAccumulator;
  #header: MessageHeader | undefined;
  #missingRecipients: readonly RecipientFailure[] = [];

  constructor(private readonly options: RewrapOptions) {
    super();
    this.#accumulator = new HeaderAccumulator(options);
    const { signal } = options;
    if (signal) {
      const onAbort = () => this.destroy(cancelledError(signal));
      if (signal.aborted) process.nextTick(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
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
      callback(null, chunk);
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
      callback();
      return;
    }
    try {
      this.#writeHeader(this.#accumulator.finish(), callback);
    } catch (error) {
      callback(error as Error);
    }
  }

  #writeHeader(complete: CompleteHeader, callback: TransformCallback): void {
    rewrapHeader(complete.header, this.options).then((rewrapped) => {
      this.#header = rewrapped.header;
      this.#missingRecipients = rewrapped.missingRecipients;
      this.push(rewrapped.headerBytes);
      if (complete.rest.length > 0) this.push(complete.rest);
      callback();
    }, callback);
  }
}

export function rewrapStream(options: RewrapOptions): RewrapStream {
  return new RewrapStream(options);
}
