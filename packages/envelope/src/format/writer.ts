/**
 * Appends big-endian fields to one growing buffer. Headers are written once per message, so the
 * fields go straight into bytes rather than into a small array per field joined at the end.
 */
export class ByteWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(initialCapacity = 256) {
    this.#buffer = Buffer.allocUnsafe(initialCapacity);
  }

  get length(): number {
    return this.#length;
  }

  bytes(chunk: Uint8Array): this {
    this.#reserve(chunk.length).set(chunk, this.#length);
    this.#length += chunk.length;
    return this;
  }

  u8(value: number): this {
    this.#reserve(1).writeUInt8(value, this.#length);
    this.#length += 1;
    return this;
  }

  u16(value: number): this {
    this.#reserve(2).writeUInt16BE(value, this.#length);
    this.#length += 2;
    return this;
  }

  u32(value: number): this {
    this.#reserve(4).writeUInt32BE(value, this.#length);
    this.#length += 4;
    return this;
  }

  u64(value: number): this {
    this.#reserve(8).writeBigUInt64BE(BigInt(value), this.#length);
    this.#length += 8;
    return this;
  }

  u16Prefixed(chunk: Uint8Array): this {
    return this.u16(chunk.length).bytes(chunk);
  }

  /** The bytes written, in a buffer of their own. */
  finish(): Uint8Array {
    return Buffer.from(this.#buffer.subarray(0, this.#length));
  }

  #reserve(n: number): Buffer {
    const needed = this.#length + n;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.#buffer.length));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    return this.#buffer;
  }
}
