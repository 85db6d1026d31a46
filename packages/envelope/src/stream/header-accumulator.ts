import { MalformedMessageError } from '../errors.js';
import { type HeaderLimits, type MessageHeader, parseHeader } from '../format/header.js';
import { TruncatedInputError } from '../format/reader.js';

export interface CompleteHeader {
  readonly header: MessageHeader;
  /** The header bytes (its fields are views into them). */
  readonly headerBytes: Uint8Array;
  /** Bytes that arrived after the header: the start of the body. */
  readonly rest: Uint8Array;
}

/**
 * Collects the first bytes of a message until its header parses. A header that is merely
 * incomplete waits for more bytes; any other parse failure, or a header longer than
 * `maxHeaderBytes` (parseHeader reports that as a limit error), is thrown at once.
 *
 * Parsing is retried only once the buffer has grown by a quarter since the last attempt, so a
 * header fed one byte at a time costs linear, not quadratic, work. The price is that a header
 * may be recognised a few bytes late; `finish` makes the last attempt at end of input.
 */
export class HeaderAccumulator {
  #buffer: Buffer = Buffer.alloc(0);
  #length = 0;
  #lastAttempt = 0;

  constructor(private readonly limits: HeaderLimits) {}

  push(chunk: Uint8Array): CompleteHeader | undefined {
    if (this.#length === 0 && chunk.length > 0) {
      // Usually the first chunk holds the whole header: parse it in place, without copying the body.
      const complete = this.#attemptOn(chunk);
      if (complete) return complete;
    }
    this.#append(chunk);
    if (this.#length < this.#lastAttempt + Math.max(1, this.#lastAttempt >> 2)) return undefined;
    return this.#attempt();
  }

  /** End of input: the header must be complete now. */
  finish(): CompleteHeader {
    const complete = this.#length > 0 ? this.#attempt() : undefined;
    if (!complete) throw new MalformedMessageError('the message is truncated in its header');
    return complete;
  }

  #attempt(): CompleteHeader | undefined {
    return this.#attemptOn(this.#buffer.subarray(0, this.#length));
  }

  #attemptOn(bytes: Uint8Array): CompleteHeader | undefined {
    this.#lastAttempt = bytes.length;
    try {
      const header = parseHeader(bytes, this.limits);
      const headerBytes = bytes.subarray(0, header.length);
      return { header, headerBytes, rest: bytes.subarray(header.length) };
    } catch (error) {
      if (error instanceof TruncatedInputError) return undefined;
      throw error;
    }
  }

  #append(chunk: Uint8Array): void {
    if (this.#length + chunk.length > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.#buffer.length, this.#length + chunk.length, 4096));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.length;
  }
}
