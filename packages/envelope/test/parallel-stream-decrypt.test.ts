import { randomBytes } from 'node:crypto';
import {
  FramePool,
  PolykmsError,
  Suites,
  decryptIterable,
  decryptWebStream,
  encrypt,
  isPolykmsError,
} from '@polykms/envelope';
import { afterAll, describe, expect, it } from 'vitest';
import { aesTestKeyring } from './support/keyrings.js';
import { chunksOf, recordSharedArrayBuffers } from './support/shared-memory.js';
import { runDecryptStream } from './support/run-decrypt-stream.js';

/** Every SharedArrayBuffer the library creates, to look for plaintext left behind. */
const created = recordSharedArrayBuffers();

const keyring = aesTestKeyring('parallel-stream-decrypt');
const pool = new FramePool({ size: 2, minParallelBytes: 0 });
afterAll(() => pool.close());

/** How a Node decrypt stream over `chunks` ends: the plaintext, or the error code. */
async function outcome(chunks: Uint8Array[], workers?: FramePool): Promise<string> {
  const { released, error } = await runDecryptStream(chunks, {
    keyring,
    workers,
    signedMessages: 'release-before-signature',
  });
  if (error === undefined) return `plaintext ${released.toString('hex')}`;
  if (!(error instanceof PolykmsError)) throw error;
  return error.code;
}

describe('streaming decrypt with worker threads', () => {
  for (const [size, frameLength, chunk] of [
    [0, 4096, 100],
    [4096, 4096, 4096],
    [3 * 1024 * 1024 + 5, 4096, 65536],
    [5 * 1024 * 1024, 64 * 1024, 100_003],
    [300_000, 1000, 7],
  ] as const) {
    for (const suite of [
      Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
      Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    ]) {
      it(`releases exactly the plaintext (${suite.name}, ${size} bytes, ${frameLength}-byte frames, ${chunk}-byte chunks)`, async () => {
        const plaintext = randomBytes(size);
        const { message } = await encrypt(plaintext, { keyring, suite, frameLength });
        expect(await outcome(chunksOf(message, chunk), pool)).toBe(`plaintext ${plaintext.toString('hex')}`);
      });
    }
  }

  it('releases the same plaintext through the iterable and web stream APIs', async () => {
    const plaintext = randomBytes(2 * 1024 * 1024 + 3);
    const { message } = await encrypt(plaintext, { keyring, frameLength: 8192 });
    const fromIterable: Buffer[] = [];
    for await (const part of decryptIterable(chunksOf(message, 50_000), { keyring, workers: pool })) {
      fromIterable.push(part);
    }
    expect(Buffer.concat(fromIterable).equals(plaintext)).toBe(true);
    const fromWeb: Uint8Array[] = [];
    const readable = ReadableStream.from(chunksOf(message, 50_000)).pipeThrough(
      decryptWebStream({ keyring, workers: pool }),
    );
    for await (const part of readable) fromWeb.push(part);
    expect(Buffer.concat(fromWeb).equals(plaintext)).toBe(true);
  });

  for (const suite of [
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  ]) {
    it(`ends body bit flips, truncations and padding with the single-thread reader's error (${suite.name})`, {
      timeout: 60_000,
    }, async () => {
      const { message, header } = await encrypt(Buffer.from('forty bytes of plaintext in three frames'), {
        keyring,
        suite,
        frameLength: 16,
      });
      const original = Buffer.from(message);
      const chunked = (bytes: Buffer) => chunksOf(bytes, 13);
      // One flipped bit in every third byte (a different bit each time): every field of every frame and the footer.
      for (let at = header.length; at < original.length; at += 3) {
        const bit = at * 8 + (at % 8);
        const flipped = Buffer.from(original);
        flipped[at]! ^= 1 << (at % 8);
        const single = await outcome(chunked(flipped));
        expect(single.startsWith('plaintext')).toBe(false);
        expect(await outcome(chunked(flipped), pool), `bit ${bit}`).toBe(single);
      }
      for (let length = header.length; length < original.length; length += 3) {
        const cut = original.subarray(0, length);
        expect(await outcome(chunked(cut), pool), `length ${length}`).toBe(await outcome(chunked(cut)));
      }
      const padded = Buffer.concat([original, Buffer.of(0)]);
      expect(await outcome(chunked(padded), pool)).toBe(await outcome(chunked(padded)));
    });
  }

  it('releases nothing from a window with a bad frame, and leaves no plaintext in shared memory', async () => {
    const frameLength = 4096;
    const plaintext = Buffer.alloc(1024 * frameLength, 0xab); // 4 MiB: two windows of 2 MiB
    const { message, header } = await encrypt(plaintext, { keyring, frameLength });
    const tampered = Buffer.from(message);
    // The last byte of the 700th frame's tag: in the second window.
    tampered[header.length + 700 * (16 + frameLength + 16) - 1]! ^= 1;
    created.length = 0;
    const { released, error } = await runDecryptStream(chunksOf(tampered, 65536), { keyring, workers: pool });
    expect(isPolykmsError(error, 'ERR_DECRYPTION_FAILED')).toBe(true);
    expect(released.length % (512 * frameLength)).toBe(0); // whole windows only
    expect(released.length).toBeLessThan(700 * frameLength);
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const buffer of created) {
      expect(Buffer.from(buffer).includes(Buffer.alloc(32, 0xab))).toBe(false);
    }
    const key = created.find((b) => b.byteLength === 32)!;
    expect(new Uint8Array(key).every((b) => b === 0)).toBe(true);
  });

  it('ends with ERR_CANCELLED when its signal aborts midway', async () => {
    const plaintext = randomBytes(4 * 1024 * 1024);
    const { message } = await encrypt(plaintext, { keyring, frameLength: 4096 });
    const controller = new AbortController();
    const chunks = chunksOf(message, 1024 * 1024);
    const source = (async function* () {
      yield chunks[0]!;
      yield chunks[1]!;
      controller.abort();
      yield* chunks.slice(2);
    })();
    let error: unknown;
    try {
      for await (const _ of decryptIterable(source, { keyring, workers: pool, signal: controller.signal })) {
        // drain
      }
    } catch (caught) {
      error = caught;
    }
    expect(isPolykmsError(error, 'ERR_CANCELLED')).toBe(true);
  });
});
