import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  FramePool,
  decrypt,
  encrypt,
  encryptIterable,
  encryptStream,
  encryptWebStream,
  isPolykmsError,
} from '@polykms/envelope';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { framedBodyLength } from '../src/format/body.js';
import { fixedKeyring } from './support/fixed-keyring.js';
import { chunksOf, recordSharedArrayBuffers } from './support/shared-memory.js';

vi.mock('../src/crypto/message-id.js', async () =>
  (await import('./support/fixed-keyring.js')).fixedMessageIdModule(),
);
vi.mock('../src/crypto/signature.js', async (importOriginal) =>
  (await import('./support/fixed-keyring.js')).fixedSigningKeyModule(importOriginal),
);

/** Every SharedArrayBuffer the library creates, to look for plaintext left behind. */
const created = recordSharedArrayBuffers();

const keyring = fixedKeyring(Buffer.alloc(32, 5));
const pool = new FramePool({ size: 2, minParallelBytes: 0 });
afterAll(() => pool.close());

async function viaNodeStream(
  chunks: Uint8Array[],
  options: Parameters<typeof encryptStream>[0],
): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    encryptStream(options),
    new Writable({
      write(chunk, _encoding, callback) {
        out.push(Buffer.from(chunk));
        callback();
      },
    }),
  );
  return Buffer.concat(out);
}

async function viaIterable(
  chunks: Uint8Array[],
  options: Parameters<typeof encryptStream>[0],
): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const part of encryptIterable(chunks, options)) out.push(part);
  return Buffer.concat(out);
}

async function viaWebStream(
  chunks: Uint8Array[],
  options: Parameters<typeof encryptStream>[0],
): Promise<Buffer> {
  const out: Uint8Array[] = [];
  const readable = ReadableStream.from(chunks).pipeThrough(encryptWebStream(options));
  for await (const part of readable) out.push(part);
  return Buffer.concat(out);
}

const cases = [
  { size: 0, frameLength: 4096, chunk: 1000 },
  { size: 4096, frameLength: 4096, chunk: 4096 },
  { size: 3 * 1024 * 1024, frameLength: 4096, chunk: 65536 },
  { size: 5 * 1024 * 1024 + 77, frameLength: 64 * 1024, chunk: 100_003 },
  { size: 300_000, frameLength: 1000, chunk: 7 },
];

describe('streaming encrypt with worker threads', () => {
  for (const { size, frameLength, chunk } of cases) {
    for (const [api, run] of [
      ['Node stream', viaNodeStream],
      ['iterable', viaIterable],
      ['web stream', viaWebStream],
    ] as const) {
      it(`writes the bytes buffered encrypt writes (${api}, ${size} bytes, ${frameLength}-byte frames, ${chunk}-byte chunks)`, async () => {
        const plaintext = randomBytes(size);
        const { message } = await encrypt(plaintext, { keyring, frameLength });
        const streamed = await run(chunksOf(plaintext, chunk), { keyring, frameLength, workers: pool });
        expect(streamed.equals(Buffer.from(message))).toBe(true);
      });
    }
  }

  it('writes a signed message whose header and body match buffered encrypt and which decrypts', async () => {
    const plaintext = randomBytes(3 * 1024 * 1024 + 9);
    const options = { keyring, frameLength: 4096, suite: 0x0578 } as const;
    const { message, header } = await encrypt(plaintext, options);
    const streamed = await viaNodeStream(chunksOf(plaintext, 65536), { ...options, workers: pool });
    const bodyEnd = header.length + framedBodyLength(plaintext.length, 4096);
    expect(streamed.subarray(0, bodyEnd).equals(Buffer.from(message).subarray(0, bodyEnd))).toBe(true);
    const { plaintext: back } = await decrypt(streamed, { keyring });
    expect(Buffer.from(back).equals(plaintext)).toBe(true);
  });

  it('zeroes its windows and key when the stream is destroyed midway, leaving no plaintext in shared memory', async () => {
    const pattern = Buffer.alloc(64 * 1024, 0xcd);
    created.length = 0;
    const stream = encryptStream({ keyring, frameLength: 4096, workers: pool });
    await new Promise<void>((resolve) => stream.once('header', () => resolve()));
    for (let i = 0; i < 40; i++) stream.write(pattern);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(created.length).toBeGreaterThan(1);
    for (const buffer of created) {
      expect(Buffer.from(buffer).includes(Buffer.alloc(32, 0xcd))).toBe(false);
    }
    const key = created.find((b) => b.byteLength === 32)!;
    expect(new Uint8Array(key).every((b) => b === 0)).toBe(true);
  });

  it('ends with ERR_CANCELLED when its signal aborts while windows are sealing', async () => {
    const controller = new AbortController();
    const big = randomBytes(4 * 1024 * 1024);
    const source = (async function* () {
      yield big;
      controller.abort();
      yield big;
    })();
    const error = await viaIterable(
      // An async source: the iterable API pulls from it lazily.
      source as unknown as Uint8Array[],
      { keyring, frameLength: 4096, workers: pool, signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(isPolykmsError(error, 'ERR_CANCELLED')).toBe(true);
  });
});
