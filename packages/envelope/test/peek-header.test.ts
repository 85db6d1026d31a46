import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptIterable, encrypt, parseHeader, peekHeader } from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';

const keyring = testKeyring('peek');
const plaintext = bytes(5000);
const { message } = await encrypt(plaintext, { keyring, frameLength: 256, encryptionContext: { a: 'b' } });
const headerLength = parseHeader(message).length;

/** A one-shot source over `data` in chunks of `size` that records how many chunks were pulled. */
function source(data: Uint8Array, size: number) {
  const pulled = { count: 0, returned: false };
  const iterable: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let offset = 0;
      return {
        async next() {
          if (offset >= data.length) return { done: true, value: undefined };
          pulled.count++;
          const chunk = data.subarray(offset, offset + size);
          offset += size;
          return { done: false, value: chunk };
        },
        async return() {
          pulled.returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, pulled };
}

async function concat(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('peekHeader', () => {
  it('returns the header and replays every byte of the message, whatever the chunk sizes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: message.length + 10 }), async (size) => {
        const peeked = await peekHeader(source(message, size).iterable);
        expect(peeked.header.messageId).toEqual(parseHeader(message).messageId);
        expect((await concat(peeked.message)).equals(message)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('reads no further than the chunk that completes the header', async () => {
    const { iterable, pulled } = source(message, 100);
    await peekHeader(iterable);
    expect(pulled.count).toBe(Math.ceil(headerLength / 100));
  });

  it('hands on a message that decrypts', async () => {
    const peeked = await peekHeader(source(message, 333).iterable);
    expect((await concat(decryptIterable(peeked.message, { keyring }))).equals(plaintext)).toBe(true);
  });

  it('refuses a source that ends inside the header, and releases it', async () => {
    const { iterable, pulled } = source(message.subarray(0, headerLength - 1), 7);
    await expect(peekHeader(iterable)).rejects.toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
    expect(pulled.returned).toBe(true);
  });

  it('refuses a header longer than maxHeaderBytes without reading the whole source', async () => {
    const { iterable, pulled } = source(message, 16);
    await expect(peekHeader(iterable, { maxHeaderBytes: 64 })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
    expect(pulled.count).toBeLessThan(message.length / 16);
    expect(pulled.returned).toBe(true);
  });

  it('refuses bytes that are not a message', async () => {
    await expect(peekHeader(source(Buffer.from('not a message at all'), 4).iterable)).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
    });
  });
});
