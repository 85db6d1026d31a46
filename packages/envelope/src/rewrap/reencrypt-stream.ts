import { Transform, type TransformCallback } from 'node:stream';
import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import type { OpenedHeaderInfo } from '../stream/options.js';
import { bindSignal } from '../stream/node-streams.js';
import type { RewrapOptions } from './options.js';
import { ReencryptionSession } from './reencryption-session.js';

/**
 * The default `rewrapStream`: one message in, the same plaintext re-encrypted out (see
 * ReencryptionSession). Memory is one frame of each message plus what the stream buffers for
 * backpressure. A truncated, tampered or forged input destroys the stream before the new
 * message's final frame, so a consumer that keeps a failed output still cannot decrypt it.
 */
export class ReencryptStream extends Transform {
  readonly #session: ReencryptionSession;

  constructor(options: RewrapOptions) {
    super();
    this.#session = new ReencryptionSession(options);
    bindSignal(this, options.signal);
  }

  /** The new header, once written. */
  get header(): MessageHeader | undefined {
    return this.#session.header;
  }

  get missingRecipients(): readonly RecipientFailure[] {
    return this.#session.missingRecipients;
  }

  /** The original's authenticated header and context. */
  get source(): OpenedHeaderInfo | undefined {
    return this.#session.source;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let step: Uint8Array[] | Promise<Uint8Array[]>;
    try {
      step = this.#session.push(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (Array.isArray(step)) this.#pushAll(step, callback);
    else step.then((parts) => this.#pushAll(parts, callback), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#session.finish().then((parts) => this.#pushAll(parts, callback), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#session.discard();
    callback(error);
  }

  #pushAll(parts: readonly Uint8Array[], callback: TransformCallback): void {
    if (!this.destroyed) for (const part of parts) if (part.length > 0) this.push(part);
    callback();
  }
}
