import { MalformedMessageError } from '../errors.js';

/**
 * The input ended before a field it announces: more bytes might complete it. Internal: a header
 * parser waiting for the rest of a stream retries on this error and on no other.
 */
export class TruncatedInputError extends MalformedMessageError {}

/**
 * A bounds-checked cursor over message bytes. Every read checks the remaining length first, so
 * a hostile length field can cause an error but never an out-of-range read or a large allocation.
 * Slices are views (no copies).
 */
export class ByteReader {
  #offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
  ) {
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  #need(length: number, what: string): void {
    if (length > this.remaining) throw new TruncatedInputError(`truncated while reading ${what}`);
  }

  u8(what: string): number {
    this.#need(1, what);
    return this.bytes[this.#offset++]!;
  }

  u16(what: string): number {
    this.#need(2, what);
    const value = (this.bytes[this.#offset]! << 8) | this.bytes[this.#offset + 1]!;
    this.#offset += 2;
    return value;
  }

  u32(what: string): number {
    this.#need(4, what);
    const b = this.bytes;
    const o = this.#offset;
    this.#offset += 4;
    return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  }

  /** u64 as a number; values above 2^53 - 1 are rejected (no message we accept is that large). */
  u64(what: string): number {
    const high = this.u32(what);
    const low = this.u32(what);
    if (high > 0x1fffff) throw new MalformedMessageError(`${what} is out of range`);
    return high * 0x1_0000_0000 + low;
  }

  bytesOf(length: number, what: string): Uint8Array {
    this.#need(length, what);
    const slice = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return slice;
  }

  /** A u16 length followed by that many bytes. */
  u16Prefixed(what: string): Uint8Array {
    return this.bytesOf(this.u16(`${what} length`), what);
  }
}
