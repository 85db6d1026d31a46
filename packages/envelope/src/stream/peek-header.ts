import type { HeaderLimits, MessageHeader } from '../format/header.js';
import { HeaderAccumulator } from './header-accumulator.js';

export interface PeekedMessage {
  readonly header: MessageHeader;
  /**
   * The whole message again, from its first byte: the bytes read to find the header, then the
   * rest of the source as it arrives. Iterate it once.
   */
  readonly message: AsyncIterable<Uint8Array>;
}

/**
 * Reads a message stream only as far as its header, without losing those bytes: for choosing
 * keyrings or policy from the header of a message that can be read only once (stdin, a socket)
 * before handing the whole message to `decryptStream` or `rewrapStream`. Holds at most the
 * header and one chunk; a truncated, malformed or oversized header is thrown here.
 */
export async function peekHeader(
  source: AsyncIterable<Uint8Array>,
  limits: HeaderLimits = {},
): Promise<PeekedMessage> {
  const accumulator = new HeaderAccumulator(limits);
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      const complete = next.done ? accumulator.finish() : accumulator.push(next.value);
      if (complete) {
        const head = [complete.headerBytes, complete.rest].filter((bytes) => bytes.length > 0);
        return { header: complete.header, message: replay(head, next.done ? undefined : iterator) };
      }
    }
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
}

async function* replay(
  head: readonly Uint8Array[],
  rest: AsyncIterator<Uint8Array> | undefined,
): AsyncGenerator<Uint8Array> {
  yield* head;
  if (rest === undefined) return;
  try {
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}
