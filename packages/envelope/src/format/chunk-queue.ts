/**
 * Bytes that arrived but are not consumed yet. `take` returns a contiguous view, copying only when
 * the requested range spans chunks, so a whole message pushed at once is parsed without copies.
 * `takeViews` never copies: it hands out the range as views of the chunks it lies in.
 */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The next `n` bytes without consuming them (n ≤ length). */
  peek(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.length - this.#head >= n) return first.subarray(this.#head, this.#head + n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let head = this.#head;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(head, head + (n - filled));
      out.set(part, filled);
      filled += part.length;
      head = 0;
      if (filled === n) break;
    }
    return out;
  }

  take(n: number): Uint8Array {
    const out = this.peek(n);
    this.skip(n);
    return out;
  }

  /** Consumes the next `n` bytes (n ≤ length) as views into the pushed chunks, in order. */
  takeViews(n: number): Uint8Array[] {
    const views: Uint8Array[] = [];
    this.#length -= n;
    while (n > 0) {
      const first = this.#chunks[0]!;
      const available = first.length - this.#head;
      if (available > n) {
        views.push(first.subarray(this.#head, this.#head + n));
        this.#head += n;
        return views;
      }
      views.push(this.#head === 0 ? first : first.subarray(this.#head));
      n -= available;
      this.#chunks.shift();
      this.#head = 0;
    }
    return views;
  }

  skip(n: number): void {
    this.#length -= n;
    while (n > 0) {
      const first = this.#chunks[0]!;
      const available = first.length - this.#head;
      if (available > n) {
        this.#head += n;
        return;
      }
      n -= available;
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}
