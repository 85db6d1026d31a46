import { ErrorCodes, PolykmsError, UnsupportedError } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { type MessageBodyReader, openHeader, openHeaderParallel } from '../message/open-header.js';
import type { FramePool } from '../workers/frame-pool.js';
import { resolveWorkers } from '../workers/workers-option.js';
import { throwIfAborted, untilAborted, discardPlaintext } from './cancellation.js';
import { HeaderAccumulator } from './header-accumulator.js';
import {
  DEFAULT_STREAM_MAX_FRAME_LENGTH,
  type OpenedHeaderInfo,
  type StreamDecryptOptions,
} from './options.js';
import { toBytes } from './to-bytes.js';

/**
 * One message being decrypted incrementally. Bytes are collected until the header parses, the
 * header is authenticated (one keyring call), and from then on every frame is authenticated by
 * `BodyDecryptor` before its plaintext is returned. `finish` fails unless the message was
 * complete, so a truncated stream never ends cleanly.
 */
export class DecryptionSession {
  /** The caller's options with the streaming default bound, for the header and the body alike. */
  readonly #options: StreamDecryptOptions;
  readonly #accumulator: HeaderAccumulator;
  #body: MessageBodyReader | undefined;
  readonly #pool: FramePool | undefined;
  #info: OpenedHeaderInfo | undefined;
  #discarded = false;

  constructor(options: StreamDecryptOptions) {
    this.#options = { ...options, maxFrameLength: options.maxFrameLength ?? DEFAULT_STREAM_MAX_FRAME_LENGTH };
    this.#accumulator = new HeaderAccumulator(this.#options);
    this.#pool = resolveWorkers(options.workers);
  }

  /** Set once the header has been authenticated. */
  get info(): OpenedHeaderInfo | undefined {
    return this.#info;
  }

  /**
   * Authenticated plaintext completed by `chunk`. Synchronous once the header is open, so that
   * the body costs no promise per chunk; a promise while the header is still being read.
   */
  push(data: Uint8Array): Buffer[] | Promise<Buffer[]> {
    const chunk = toBytes(data);
    if (this.#body) return this.#body.push(chunk);
    const complete = this.#accumulator.push(chunk);
    if (!complete) return [];
    return this.#open(complete.header, complete.headerBytes, complete.rest);
  }

  /**
   * What a step (`push` or `finish`) completed, ready to hand out: unless the signal aborted
   * meanwhile (then the plaintext is zeroed and ERR_CANCELLED thrown), after announcing a header
   * the step opened to `onHeader` (a throw there zeroes the plaintext too). For the iterable and
   * web APIs; the Node stream also checks that it was not destroyed.
   */
  async released(step: Buffer[] | Promise<Buffer[]>): Promise<Buffer[]> {
    const { signal, onHeader } = this.#options;
    const opened = this.#info !== undefined;
    const parts = Array.isArray(step) ? step : await untilAborted(step, signal);
    try {
      throwIfAborted(signal);
      if (!opened && this.#info) onHeader?.(this.#info);
    } catch (error) {
      discardPlaintext(parts);
      throw error;
    }
    return parts;
  }

  /** End of input: the last plaintext, or an error if the message is incomplete. */
  async finish(): Promise<Buffer[]> {
    let out: Buffer[] = [];
    if (!this.#body) {
      const complete = this.#accumulator.finish();
      out = await this.#open(complete.header, complete.headerBytes, complete.rest);
    }
    try {
      const tail = await this.#body!.finish();
      if (tail) out.push(...tail);
    } catch (error) {
      for (const part of out) part.fill(0);
      throw error;
    }
    return out;
  }

  /**
   * Zeroes plaintext held for a frame whose tag has not arrived. Call when abandoning the input
   * (cancellation, a failed source); harmless after `finish`. A header still being opened (a
   * keyring call that ignored the abort) releases nothing when it completes.
   */
  discard(): void {
    this.#discarded = true;
    this.#body?.discard();
  }

  async #open(header: MessageHeader, headerBytes: Uint8Array, rest: Uint8Array): Promise<Buffer[]> {
    if (header.suite.signature && (this.#options.signedMessages ?? 'refuse') === 'refuse') {
      throw new UnsupportedError(
        `streaming decrypt refuses signed messages (suite ${header.suite.name}) by default: their ` +
          'signature is only checked after the last frame, so plaintext would be released before the ' +
          "message is fully verified. Use the buffered decrypt(), or set signedMessages: 'release-before-signature' " +
          'and discard the output if the stream fails.',
      );
    }
    // Only framed bodies have frames to spread over threads.
    const opened =
      this.#pool && header.contentType === 'framed'
        ? await openHeaderParallel(header, headerBytes, this.#options, this.#pool)
        : await openHeader(header, headerBytes, this.#options);
    if (this.#discarded) {
      opened.body.discard();
      throw new PolykmsError(
        ErrorCodes.Cancelled,
        'the stream was abandoned while its header was being opened',
      );
    }
    this.#body = opened.body;
    this.#info = {
      header,
      encryptionContext: opened.encryptionContext,
      encryptedDataKey: opened.encryptedDataKey,
    };
    return opened.body.push(rest);
  }
}
