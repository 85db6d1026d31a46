/** Appends big-endian fields to a growing list of chunks, concatenated once at the end. */
export class ByteWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  bytes(chunk: Uint8Array): this {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return this;
  }

  u8(value: number): this {
    return this.bytes(Uint8Array.of(value));
  }

  u16(value: number): this {
    return this.bytes(Uint8Array.of(value >>> 8, value & 0xff));
  }

  u32(value: number): this {
    const chunk = new Uint8Array(4);
    new DataView(chunk.buffer).setUint32(0, value);
    return this.bytes(chunk);
  }

  u64(value: number): this {
    const chunk = new Uint8Array(8);
    new DataView(chunk.buffer).setBigUint64(0, BigInt(value));
    return this.bytes(chunk);
  }

  u16Prefixed(chunk: Uint8Array): this {
    return this.u16(chunk.length).bytes(chunk);
  }

  finish(): Uint8Array {
    return Buffer.concat(this.#chunks, this.#length);
  }
}
