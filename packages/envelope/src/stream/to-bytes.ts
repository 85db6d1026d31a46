import { InvalidArgumentError } from '../errors.js';

/**
 * The bytes of one streamed chunk. Callers of the iterable and web-stream APIs are not held to
 * `Uint8Array` by anything at run time, and `.length` of another view counts elements, not
 * bytes: any view or ArrayBuffer is taken as its bytes (no copy), anything else is refused.
 */
export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new InvalidArgumentError(
    `a stream chunk must be a Uint8Array, another ArrayBuffer view or an ArrayBuffer, not ${describeType(chunk)}`,
  );
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'an object';
}
