import { Transform, type TransformCallback } from 'node:stream';
import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { cancelledError, untilAborted, discardPlaintext } from './cancellation.js';
import { DecryptionSession } from './decryptor-session.js';
import { EncryptionSession, type Step } from './encryptor-session.js';
import type { OpenedHeaderInfo } from './options.js';
import type { StreamDecryptOptions, StreamEncryptOptions } from './options.js';

/** Destroys `stream` with ERR_CANCELLED when `signal` aborts (and at once if it already has). */
export function bindSignal(stream: Transform, signal: AbortSignal | undefined): void {
  if (!signal) return;
  if (signal.aborted) {
    process.nextTick(() => stream.destroy(cancelledError(signal)));
    return;
  }
  const onAbort = () => stream.destroy(cancelledError(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  const stopListening = () => signal.removeEventListener('abort', onAbort);
  // Once all input is processed there is nothing left to cancel: do not hold on to a long-lived
  // signal until a reader that may never come drains the output.
  stream.once('finish', stopListening);
  stream.once('end', stopListening);
  stream.once('close', stopListening);
}

function pushAll(stream: Transform, parts: readonly Uint8Array[]): void {
  for (const part of parts) if (part.length > 0) stream.push(part);
}

/**
 * Plaintext in, one message out. The keyring is called when the stream is constructed; the
 * `header` event (and property) and `missingRecipients` are available from then on. Memory is
 * one unfinished frame plus what the stream buffers for backpressure.
 */
export class EncryptStream extends Transform {
  #session: EncryptionSession | undefined;

  constructor(private readonly options: StreamEncryptOptions) {
    super();
    bindSignal(this, options.signal);
  }

  get header(): MessageHeader | undefined {
    return this.#session?.header;
  }

  get missingRecipients(): readonly RecipientFailure[] {
    return this.#session?.missingRecipients ?? [];
  }

  override _construct(callback: (error?: Error | null) => void): void {
    const { signal } = this.options;
    // Node defers destroy() until construction ends, so an abort must end the keyring wait itself.
    // bindSignal has then already asked for destroy(ERR_CANCELLED) (at once, or in a tick queued
    // before this callback lands): reporting a second error here would make it an AggregateError.
    if (signal?.aborted) {
      callback();
      return;
    }
    untilAborted(EncryptionSession.start(this.options), signal).then(
      (session) => {
        if (this.destroyed || signal?.aborted) return callback();
        this.#session = session;
        try {
          this.options.onHeader?.({ header: session.header, missingRecipients: session.missingRecipients });
        } catch (error) {
          return callback(error as Error);
        }
        this.emit('header', session.header);
        callback();
      },
      (error: Error) => callback(this.destroyed || signal?.aborted ? undefined : error),
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#release(() => this.#session!.push(chunk), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#release(() => this.#session!.finish(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#session?.discard();
    callback(error);
  }

  /** Pushes what a step produced: at once, or (workers) when its window is sealed, unless destroyed meanwhile. */
  #release(step: () => Step, callback: TransformCallback): void {
    let result: Step;
    try {
      result = step();
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (Array.isArray(result)) {
      pushAll(this, result);
      callback();
      return;
    }
    result.then((parts) => {
      if (!this.destroyed) pushAll(this, parts);
      callback();
    }, callback);
  }
}

/**
 * One message in, plaintext out. Only authenticated frames are pushed; a truncated, tampered or
 * trailing-garbage message destroys the stream with a typed error instead of ending it. The
 * `header` event carries `OpenedHeaderInfo` once the header is authenticated.
 */
export class DecryptStream extends Transform {
  readonly #session: DecryptionSession;

  constructor(private readonly options: StreamDecryptOptions) {
    super();
    this.#session = new DecryptionSession(options);
    bindSignal(this, options.signal);
  }

  get info(): OpenedHeaderInfo | undefined {
    return this.#session.info;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const opened = this.#session.info !== undefined;
    let result: Buffer[] | Promise<Buffer[]>;
    try {
      result = this.#session.push(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (Array.isArray(result)) {
      pushAll(this, result);
      callback();
      return;
    }
    result.then((parts) => this.#release(opened, parts, callback), callback);
  }

  /** Announces a header opened by this step, then pushes its plaintext; never after a destroy. */
  #release(openedBefore: boolean, parts: Buffer[], callback: TransformCallback): void {
    if (this.#abandoned(parts)) {
      callback();
      return;
    }
    const info = this.#session.info;
    if (!openedBefore && info) {
      try {
        this.options.onHeader?.(info);
      } catch (error) {
        discardPlaintext(parts);
        callback(error as Error);
        return;
      }
      this.emit('header', info);
    }
    pushAll(this, parts);
    callback();
  }

  /** True (and `parts` zeroed) when the stream was destroyed while the keyring was being called. */
  #abandoned(parts: readonly Uint8Array[]): boolean {
    if (!this.destroyed) return false;
    discardPlaintext(parts);
    this.#session.discard();
    return true;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#session.discard();
    callback(error);
  }

  override _flush(callback: TransformCallback): void {
    const opened = this.#session.info !== undefined;
    this.#session.finish().then((parts) => this.#release(opened, parts, callback), callback);
  }
}

/** A Transform that encrypts what is written to it into one message. */
export function encryptStream(options: StreamEncryptOptions): EncryptStream {
  return new EncryptStream(options);
}

/** A Transform that decrypts one message written to it. */
export function decryptStream(options: StreamDecryptOptions): DecryptStream {
  return new DecryptStream(options);
}
