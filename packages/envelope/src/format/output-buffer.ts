/**
 * A message or plaintext assembled in one allocation of known capacity, piece by piece, so that
 * each frame is copied in while it is still in the CPU cache (rather than collected and joined at
 * the end: one more pass over the whole payload). The memory comes from `allocUnsafe`, so the
 * unwritten tail is zeroed before the bytes are handed out.
 */
export class OutputBuffer {
  readonly #bytes: Buffer;
  #length = 0;
  /** `append` copies what it is given and keeps none of it (a `BodySink`). */
  readonly copies = true;

  /** A fresh allocation of `capacity` bytes, or the caller's memory (`encryptInto`). */
  constructor(capacityOrMemory: number | Uint8Array) {
    this.#bytes =
      typeof capacityOrMemory === 'number'
        ? Buffer.allocUnsafe(capacityOrMemory)
        : Buffer.from(capacityOrMemory.buffer, capacityOrMemory.byteOffset, capacityOrMemory.byteLength);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** `length` bytes at the write position, to be filled in place (then `advance`). */
  reserve(length: number): Buffer {
    if (this.#length + length > this.#bytes.length) {
      throw new RangeError('OutputBuffer: more bytes than the computed capacity');
    }
    return this.#bytes.subarray(this.#length, this.#length + length);
  }

  advance(length: number): void {
    this.reserve(length);
    this.#length += length;
  }

  append(parts: readonly Uint8Array[]): void {
    for (const part of parts) {
      if (this.#length + part.length > this.#bytes.length) {
        throw new RangeError('OutputBuffer: more bytes than the computed capacity');
      }
      this.#bytes.set(part, this.#length);
      this.#length += part.length;
    }
  }

  /** The bytes written. */
  finish(): Buffer {
    if (this.#length === this.#bytes.length) return this.#bytes;
    this.#bytes.fill(0, this.#length);
    return this.#bytes.subarray(0, this.#length);
  }

  /** Zeroes everything written, for a result that must not be released. */
  wipe(): void {
    this.#bytes.fill(0, 0, this.#length);
  }
}
