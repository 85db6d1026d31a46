import { describe, expect, it } from 'vitest';
import {
  decrypt,
  decryptIterable,
  decryptWebStream,
  encrypt,
  encryptIterable,
  encryptWebStream,
  isPolykmsError,
} from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';

const keyring = testKeyring('chunk-types');
const FRAME = 64;

/** The same bytes as every kind of chunk a caller might hand over, each a view at an offset. */
function asChunkTypes(data: Uint8Array): Record<string, unknown> {
  // 8 bytes of padding before the data, so that a view honouring only `buffer` would be caught.
  const backing = new ArrayBuffer(data.length + 16);
  new Uint8Array(backing, 8, data.length).set(data);
  const exact = new Uint8Array(data).buffer; // a copy: Buffer#slice would be a view into a pool
  return {
    Uint8Array: new Uint8Array(backing, 8, data.length),
    Buffer: Buffer.from(backing, 8, data.length),
    ArrayBuffer: exact,
    DataView: new DataView(backing, 8, data.length),
    Uint16Array: new Uint16Array(backing, 8, data.length / 2),
    Float64Array: new Float64Array(backing, 8, data.length / 8),
  };
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of source) out.push(Buffer.from(chunk));
  return Buffer.concat(out);
}

type Api = (chunks: unknown[]) => Promise<Buffer>;
const encryptApis: Record<string, Api> = {
  iterable: (chunks) => collect(encryptIterable(chunks as Uint8Array[], { keyring, frameLength: FRAME })),
  'web stream': (chunks) =>
    collect(
      ReadableStream.from(chunks as Uint8Array[]).pipeThrough(
        encryptWebStream({ keyring, frameLength: FRAME }),
      ),
    ),
};
const decryptApis: Record<string, Api> = {
  iterable: (chunks) => collect(decryptIterable(chunks as Uint8Array[], { keyring })),
  'web stream': (chunks) =>
    collect(ReadableStream.from(chunks as Uint8Array[]).pipeThrough(decryptWebStream({ keyring }))),
};

describe('streamed chunks of every binary type', () => {
  // 3.5 frames, a multiple of 8 so that every view type can hold it exactly.
  const plaintext = bytes(3 * FRAME + 32, 7);

  for (const [apiName, encryptWith] of Object.entries(encryptApis)) {
    for (const [typeName, chunk] of Object.entries(asChunkTypes(plaintext))) {
      it(`encrypts a ${typeName} chunk by its bytes through the ${apiName} API`, async () => {
        const message = await encryptWith([chunk]);
        const opened = await decrypt(message, { keyring });
        expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
      });
    }
  }

  for (const [apiName, decryptWith] of Object.entries(decryptApis)) {
    it(`decrypts a message handed over as each binary type through the ${apiName} API`, async () => {
      const { message } = await encrypt(plaintext, { keyring, frameLength: FRAME });
      // The message padded to a multiple of 8 bytes is not a message: split it instead, typed chunk by chunk.
      const head = message.subarray(0, message.length - (message.length % 8));
      const tail = message.subarray(head.length);
      for (const [typeName, chunk] of Object.entries(asChunkTypes(head))) {
        const released = await decryptWith([chunk, tail]);
        expect(released.equals(plaintext), typeName).toBe(true);
      }
    });
  }

  const notBytes: Record<string, unknown> = {
    string: 'abcdefgh',
    number: 42,
    'plain object': { a: 1 },
    null: null,
    array: [1, 2, 3],
  };
  for (const [apiName, api] of [
    ...Object.entries(encryptApis).map(([n, f]) => [`encrypt ${n}`, f] as const),
    ...Object.entries(decryptApis).map(([n, f]) => [`decrypt ${n}`, f] as const),
  ]) {
    it(`refuses a chunk that is not bytes with ERR_INVALID_ARGUMENT naming its type (${apiName})`, async () => {
      for (const [typeName, chunk] of Object.entries(notBytes)) {
        const error = await api([chunk]).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(isPolykmsError(error, 'ERR_INVALID_ARGUMENT'), typeName).toBe(true);
        expect((error as Error).message, typeName).toMatch(/stream chunk must be/);
      }
      const error = await api([new Date(0)]).catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/Date/);
    });
  }
});
