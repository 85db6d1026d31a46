import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STREAM_MAX_FRAME_LENGTH,
  Suites,
  decrypt,
  decryptIterable,
  decryptStream,
  decryptWebStream,
  encrypt,
  encryptIterable,
  encryptStream,
  encryptWebStream,
  inspect,
  isPolykmsError,
  type StreamDecryptOptions,
} from '@polykms/envelope';
import { runDecryptStream } from './support/run-decrypt-stream.js';
import { bytes, testKeyring } from './stream-test-keyring.js';
import { fixedKeyring } from './support/keyrings.js';
import { singleBlockPrefix, v1NonFramedHeader, v1NonFramedMessage } from './support/v1-non-framed.js';

const FRAME = 64;

/** Splits `data` into chunks of the given sizes, cycling through them. */
function chunked(data: Uint8Array, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(Buffer.from(data.subarray(offset, offset + size)));
    offset += size;
  }
  return out;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

/** Splits `data` at the given offsets. */
function splitAt(data: Uint8Array, offsets: readonly number[]): Buffer[] {
  const edges = [0, ...offsets.filter((o) => o > 0 && o < data.length), data.length];
  return edges.slice(1).map((end, i) => Buffer.from(data.subarray(edges[i], end)));
}

/** Offsets where each frame (and the footer) of a framed message starts, and the total length. */
function frameBoundaries(message: Uint8Array, plaintextLength: number): number[] {
  const info = inspect(message);
  const boundaries = [info.headerLength];
  const regular = Math.floor(plaintextLength / FRAME);
  for (let i = 0; i < regular; i++) boundaries.push(boundaries.at(-1)! + 4 + 12 + FRAME + 16);
  boundaries.push(boundaries.at(-1)! + 4 + 4 + 12 + 4 + (plaintextLength % FRAME) + 16);
  return boundaries;
}

describe('encryptStream and decryptStream', () => {
  const keyring = testKeyring('stream');

  it('round-trips through pipeline with odd chunk sizes, and interoperates with buffered decrypt', async () => {
    const plaintext = bytes(10 * FRAME + 7);
    const encrypted: Buffer[] = [];
    await pipeline(
      Readable.from(chunked(plaintext, [1, 63, 64, 65, 200])),
      encryptStream({ keyring, frameLength: FRAME, encryptionContext: { purpose: 'stream' } }),
      new Writable({
        write(chunk, _encoding, callback) {
          encrypted.push(chunk);
          callback();
        },
      }),
    );
    const message = Buffer.concat(encrypted);
    expect(Buffer.from((await decrypt(message, { keyring })).plaintext).equals(plaintext)).toBe(true);
    const { released, error } = await runDecryptStream(chunked(message, [3, 100, 1]), { keyring });
    expect(error).toBeUndefined();
    expect(released.equals(plaintext)).toBe(true);
  });

  it('decrypts a header that arrives one byte at a time', async () => {
    const plaintext = bytes(3 * FRAME);
    const { message } = await encrypt(plaintext, {
      keyring,
      frameLength: FRAME,
      encryptionContext: { k: 'v' },
    });
    const stream = decryptStream({ keyring });
    const headers: unknown[] = [];
    stream.on('header', (info) => headers.push(info));
    const released: Buffer[] = [];
    await pipeline(Readable.from(chunked(message, [1])), stream, async (source) => {
      for await (const chunk of source) released.push(chunk);
    });
    expect(Buffer.concat(released).equals(plaintext)).toBe(true);
    expect(headers).toHaveLength(1);
    expect(stream.info?.encryptionContext).toEqual({ k: 'v' });
  });

  it('ends in an error, never a clean end, when cut at any byte, and releases only whole verified frames', async () => {
    const plaintext = bytes(4 * FRAME + 10);
    const { message } = await encrypt(plaintext, { keyring, frameLength: FRAME });
    const boundaries = frameBoundaries(message, plaintext.length);
    expect(boundaries.at(-1)).toBe(message.length);
    for (let cut = 0; cut < message.length; cut++) {
      const { released, error } = await runDecryptStream(chunked(message.subarray(0, cut), [37]), {
        keyring,
      });
      expect(isPolykmsError(error, 'ERR_MALFORMED_MESSAGE'), `cut at ${cut}`).toBe(true);
      const completeFrames = boundaries.filter((b, i) => i > 0 && b <= cut).length;
      expect(released.length, `cut at ${cut}`).toBe(Math.min(completeFrames, 4) * FRAME);
      expect(released.equals(plaintext.subarray(0, released.length))).toBe(true);
    }
  });

  it('releases nothing from a chunk that ends in a bad frame, even frames before it in that chunk', async () => {
    const plaintext = bytes(4 * FRAME + 10);
    const { message } = await encrypt(plaintext, { keyring, frameLength: FRAME });
    const tampered = Buffer.from(message);
    tampered[tampered.length - 1]! ^= 1;
    const { released, error } = await runDecryptStream([tampered], { keyring });
    expect(isPolykmsError(error, 'ERR_DECRYPTION_FAILED')).toBe(true);
    expect(released.length).toBe(0);
  });

  it('fails at the tampered frame and releases nothing from it or after it', async () => {
    const plaintext = bytes(4 * FRAME + 10);
    const { message } = await encrypt(plaintext, { keyring, frameLength: FRAME });
    const boundaries = frameBoundaries(message, plaintext.length);
    for (let frame = 0; frame < boundaries.length - 1; frame++) {
      const tampered = Buffer.from(message);
      tampered[boundaries[frame + 1]! - 1]! ^= 1; // last byte of the frame's tag
      const { released, error } = await runDecryptStream(splitAt(tampered, boundaries), { keyring });
      expect(isPolykmsError(error, 'ERR_DECRYPTION_FAILED'), `frame ${frame}`).toBe(true);
      expect(released.length).toBe(frame * FRAME);
    }
  });

  it('gives up on a header longer than maxHeaderBytes instead of buffering it', async () => {
    const { message } = await encrypt(bytes(10), { keyring, encryptionContext: { big: 'x'.repeat(5000) } });
    const { error } = await runDecryptStream(chunked(message, [1]), { keyring, maxHeaderBytes: 1024 });
    expect(isPolykmsError(error, 'ERR_LIMIT_EXCEEDED')).toBe(true);
    const fine = await runDecryptStream(chunked(message, [100]), { keyring, maxHeaderBytes: 8192 });
    expect(fine.error).toBeUndefined();
  });

  it('rejects bytes after the end of the message', async () => {
    const { message } = await encrypt(bytes(100), { keyring, frameLength: FRAME });
    const { error } = await runDecryptStream([message, Buffer.from([0])], { keyring });
    expect(isPolykmsError(error, 'ERR_MALFORMED_MESSAGE')).toBe(true);
  });

  it('refuses a signed message by default, before any keyring call, with a typed error', async () => {
    const signer = testKeyring('signed');
    const { message } = await encrypt(bytes(200), {
      keyring: signer,
      frameLength: FRAME,
      suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    const { released, error } = await runDecryptStream([message], { keyring: signer });
    expect(isPolykmsError(error, 'ERR_UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toMatch(/release-before-signature/);
    expect(released.length).toBe(0);
    expect(signer.calls.unwrap).toBe(0);
  });

  it('releases a signed message frame by frame when asked, and fails at the end on a bad signature', async () => {
    const plaintext = bytes(3 * FRAME + 5);
    const { message } = await encrypt(plaintext, {
      keyring,
      frameLength: FRAME,
      suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    const options = { keyring, signedMessages: 'release-before-signature' } as const;
    const good = await runDecryptStream(chunked(message, [50]), options);
    expect(good.error).toBeUndefined();
    expect(good.released.equals(plaintext)).toBe(true);

    const forged = Buffer.from(message);
    forged[forged.length - 1]! ^= 1; // inside the DER signature
    // One chunk per frame, the footer on its own: every frame is released, as documented, then the error.
    const bad = await runDecryptStream(splitAt(forged, frameBoundaries(forged, plaintext.length)), options);
    expect(isPolykmsError(bad.error, 'ERR_DECRYPTION_FAILED')).toBe(true);
    expect(bad.released.equals(plaintext)).toBe(true);
  });

  it('applies backpressure: writes report a full buffer when nobody reads', async () => {
    const stream = encryptStream({ keyring, frameLength: 1024 });
    let accepted = true;
    let writes = 0;
    while (accepted && writes < 1000) {
      accepted = stream.write(bytes(16 * 1024, writes + 1));
      writes++;
    }
    expect(accepted).toBe(false);
    expect(writes).toBeLessThan(20);
    stream.destroy();
  });

  it('ends with ERR_CANCELLED when its signal aborts mid-stream', async () => {
    const controller = new AbortController();
    async function* source() {
      yield bytes(FRAME * 2);
      controller.abort();
      yield bytes(FRAME * 2);
      yield bytes(FRAME * 2);
    }
    const run = pipeline(
      Readable.from(source()),
      encryptStream({ keyring, frameLength: FRAME, signal: controller.signal }),
      new Writable({ write: (_c, _e, cb) => cb() }),
    );
    await expect(run).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
  });

  it('ends a decrypt with ERR_CANCELLED when its signal aborts, releasing nothing more', async () => {
    // Larger than the streams' buffers, so that the abort lands before the end.
    const plaintext = bytes(1024 * 1024);
    const { message } = await encrypt(plaintext, { keyring, frameLength: 4096 });
    const controller = new AbortController();
    const released: Buffer[] = [];
    const run = pipeline(
      Readable.from(chunked(message, [4096])),
      decryptStream({ keyring, signal: controller.signal }),
      async (source) => {
        for await (const chunk of source) {
          released.push(chunk);
          controller.abort();
        }
      },
    );
    await expect(run).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(Buffer.concat(released).length).toBeLessThan(plaintext.length);
  });

  it('holds a stream to its declared plaintextLength', async () => {
    const write = (declared: number, actual: number) =>
      pipeline(
        Readable.from([bytes(actual)]),
        encryptStream({ keyring, plaintextLength: declared }),
        new Writable({ write: (_c, _e, cb) => cb() }),
      );
    await expect(write(10, 11)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(write(10, 9)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(write(10, 10)).resolves.toBeUndefined();
  });

  it('propagates a keyring failure through pipeline', async () => {
    const down = testKeyring('down');
    down.down = true;
    const run = pipeline(
      Readable.from([bytes(10)]),
      encryptStream({ keyring: down }),
      new Writable({ write: (_c, _e, cb) => cb() }),
    );
    await expect(run).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' });
  });
});

describe('frames split across chunks', () => {
  const keyring = testKeyring('split');

  it('decrypts a frame whose prefix, ciphertext and tag arrive in many tiny chunks', async () => {
    const plaintext = bytes(3 * FRAME + 9);
    const { message } = await encrypt(plaintext, { keyring, frameLength: FRAME });
    const headerLength = inspect(message).headerLength;
    const chunks = [
      message.subarray(0, headerLength),
      ...chunked(message.subarray(headerLength), [1, 2, 3, 5]),
    ];
    const { released, error } = await runDecryptStream(chunks, { keyring });
    expect(error).toBeUndefined();
    expect(released.equals(plaintext)).toBe(true);
  });

  it('decrypts when a frame tag is split across chunks at every position', async () => {
    const plaintext = bytes(2 * FRAME + 3);
    const { message } = await encrypt(plaintext, { keyring, frameLength: FRAME });
    const firstFrameEnd = frameBoundaries(message, plaintext.length)[1]!;
    for (let inTag = 1; inTag < 16; inTag++) {
      const chunks = splitAt(message, [firstFrameEnd - 16 + inTag]);
      const { released, error } = await runDecryptStream(chunks, { keyring });
      expect(error, `split ${inTag} bytes into the tag`).toBeUndefined();
      expect(released.equals(plaintext)).toBe(true);
    }
  });

  it('releases nothing of a split frame whose tag was tampered with, however it was split', async () => {
    const plaintext = bytes(4 * FRAME + 10);
    const { message } = await encrypt(plaintext, { keyring, frameLength: FRAME });
    const boundaries = frameBoundaries(message, plaintext.length);
    for (let frame = 0; frame < boundaries.length - 1; frame++) {
      const tampered = Buffer.from(message);
      const tagStart = boundaries[frame + 1]! - 16;
      tampered[tagStart]! ^= 1;
      // Each frame before the bad one arrives whole; the bad one in 7-byte pieces, its tag split too.
      const chunks = [
        ...splitAt(tampered.subarray(0, boundaries[frame]!), boundaries.slice(0, frame + 1)),
        ...chunked(tampered.subarray(boundaries[frame]!), [7]),
      ];
      const { released, error } = await runDecryptStream(chunks, { keyring });
      expect(isPolykmsError(error, 'ERR_DECRYPTION_FAILED'), `frame ${frame}`).toBe(true);
      expect(released.length, `frame ${frame}`).toBe(frame * FRAME);
      expect(released.equals(plaintext.subarray(0, released.length))).toBe(true);
    }
  });

  it('round-trips any plaintext through any chunking on both sides', async () => {
    const chunkSizes = fc.array(fc.integer({ min: 1, max: 3 * FRAME }), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 * FRAME }),
        chunkSizes,
        chunkSizes,
        async (length, encryptChunks, decryptChunks) => {
          const plaintext = bytes(length, length + 1);
          const message = await collect(
            encryptIterable(chunked(plaintext, encryptChunks), { keyring, frameLength: FRAME }),
          );
          const buffered = await decrypt(message, { keyring });
          expect(Buffer.from(buffered.plaintext).equals(plaintext)).toBe(true);
          const streamed = await collect(decryptIterable(chunked(message, decryptChunks), { keyring }));
          expect(streamed.equals(plaintext)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('async iterables', () => {
  const keyring = testKeyring('iterable');

  it('round-trips and throws on truncation', async () => {
    const plaintext = bytes(5 * FRAME + 1);
    const message = await collect(
      encryptIterable(chunked(plaintext, [10, 90]), { keyring, frameLength: FRAME }),
    );
    expect((await collect(decryptIterable(chunked(message, [33]), { keyring }))).equals(plaintext)).toBe(
      true,
    );
    await expect(
      collect(decryptIterable([message.subarray(0, message.length - 1)], { keyring })),
    ).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
    });
  });
});

describe('web streams', () => {
  const keyring = testKeyring('web');

  it('round-trips through pipeThrough and errors the readable on truncation', async () => {
    const plaintext = bytes(5 * FRAME + 3);
    const encrypted = ReadableStream.from(chunked(plaintext, [7, 70])).pipeThrough(
      encryptWebStream({ keyring, frameLength: FRAME }),
    );
    const message = await collect(encrypted);
    const decrypted = ReadableStream.from(chunked(message, [40])).pipeThrough(decryptWebStream({ keyring }));
    expect((await collect(decrypted)).equals(plaintext)).toBe(true);
    const truncated = ReadableStream.from([message.subarray(0, message.length - 20)]).pipeThrough(
      decryptWebStream({ keyring }),
    );
    await expect(collect(truncated)).rejects.toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
  });
});

describe('frame length bound', () => {
  const keyring = testKeyring('bound');
  const claimed = DEFAULT_STREAM_MAX_FRAME_LENGTH + 1;

  it('refuses a message whose frames are longer than maxFrameLength before any keyring call', async () => {
    const { message } = await encrypt(bytes(10), { keyring, frameLength: claimed });
    const unwrapsBefore = keyring.calls.unwrap;
    const { released, error } = await runDecryptStream([message], { keyring });
    expect(error).toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
    expect(released.length).toBe(0);
    expect(keyring.calls.unwrap).toBe(unwrapsBefore);
  });

  it('reads such a message when the caller raises the bound, and buffered decrypt has none', async () => {
    const { message } = await encrypt(bytes(10), { keyring, frameLength: claimed });
    const streamed = await runDecryptStream([message], { keyring, maxFrameLength: claimed });
    expect(streamed.error).toBeUndefined();
    expect(streamed.released.equals(bytes(10))).toBe(true);
    const buffered = await decrypt(message, { keyring });
    expect(Buffer.from(buffered.plaintext).equals(bytes(10))).toBe(true);
    await expect(decrypt(message, { keyring, maxFrameLength: 4096 })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
  });
});

describe('non-framed (v1) body bound', () => {
  const dataKey = randomBytes(32);
  const keyring = fixedKeyring(dataKey);
  const v1 = { keyring, commitmentPolicy: 'require-encrypt-allow-decrypt' } as const;
  const plaintext = bytes(3000);
  const message = v1NonFramedMessage(dataKey, plaintext);

  /** Every streaming API over `chunks`: what each released and how it ended. */
  async function everyStreamingApi(
    chunks: readonly Uint8Array[],
    options: StreamDecryptOptions,
  ): Promise<Record<string, { released: Buffer; error: unknown }>> {
    const viaIterable = async () => {
      const parts: Buffer[] = [];
      try {
        for await (const part of decryptIterable(chunks, options)) parts.push(Buffer.from(part));
      } catch (error) {
        return { released: Buffer.concat(parts), error };
      }
      return { released: Buffer.concat(parts), error: undefined };
    };
    const viaWebStream = async () => {
      const parts: Buffer[] = [];
      try {
        const readable = ReadableStream.from(chunks).pipeThrough(decryptWebStream(options));
        for await (const part of readable) parts.push(Buffer.from(part));
      } catch (error) {
        return { released: Buffer.concat(parts), error };
      }
      return { released: Buffer.concat(parts), error: undefined };
    };
    return {
      decryptStream: await runDecryptStream(chunks, options),
      decryptIterable: await viaIterable(),
      decryptWebStream: await viaWebStream(),
    };
  }

  it('refuses a body longer than maxFrameLength with ERR_LIMIT_EXCEEDED and releases nothing', async () => {
    const results = await everyStreamingApi(chunked(message, [97]), { ...v1, maxFrameLength: 2999 });
    for (const [api, { released, error }] of Object.entries(results)) {
      expect(error, api).toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
      expect((error as Error).message, api).toMatch(/non-framed.*3000-byte block.*maxFrameLength \(2999\)/);
      expect(released.length, api).toBe(0);
    }
  });

  it('decrypts a body of up to maxFrameLength bytes, however it is chunked', async () => {
    for (const maxFrameLength of [3000, 4096]) {
      for (const sizes of [[message.length], [1], [13, 5000]]) {
        const results = await everyStreamingApi(chunked(message, sizes), { ...v1, maxFrameLength });
        for (const [api, { released, error }] of Object.entries(results)) {
          expect(error, api).toBeUndefined();
          expect(released.equals(plaintext), api).toBe(true);
        }
      }
    }
  });

  it('is read whole by buffered decrypt, which has no bound unless one is given', async () => {
    const result = await decrypt(message, v1);
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    expect(result.header.contentType).toBe('non-framed');
    await expect(decrypt(message, { ...v1, maxFrameLength: 2999 })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
  });

  it('refuses a hostile content length by default as soon as it is read, before the input ends', async () => {
    const header = v1NonFramedHeader(dataKey);
    const claimed = 2 ** 36 - 32; // the format's largest, far above DEFAULT_STREAM_MAX_FRAME_LENGTH
    let readPastPrefix = false;
    async function* source() {
      yield Buffer.concat([header.bytes, singleBlockPrefix(claimed), bytes(100)]);
      readPastPrefix = true;
      yield bytes(100);
    }
    const released: Uint8Array[] = [];
    const iterate = async () => {
      for await (const part of decryptIterable(source(), v1)) released.push(part);
    };
    await expect(iterate()).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
      message: expect.stringContaining(`one ${claimed}-byte block`),
    });
    expect(readPastPrefix).toBe(false);
    expect(released).toEqual([]);
  });

  it('still reports a content length beyond the format limit as malformed, before reading on', async () => {
    const header = v1NonFramedHeader(dataKey);
    let readPastPrefix = false;
    async function* source() {
      yield Buffer.concat([header.bytes, singleBlockPrefix(2 ** 36 - 31), bytes(100)]);
      readPastPrefix = true;
      yield bytes(100);
    }
    const iterate = async () => {
      for await (const _ of decryptIterable(source(), { ...v1, maxFrameLength: 2 ** 40 })) {
      }
    };
    await expect(iterate()).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('exceeds the format limit'),
    });
    expect(readPastPrefix).toBe(false);
  });

  it('refuses in buffered decrypt a content length beyond the format limit (2^36 - 32), not at it', async () => {
    const header = v1NonFramedHeader(dataKey);
    const claiming = (length: number) => Buffer.concat([header.bytes, singleBlockPrefix(length), bytes(100)]);
    await expect(decrypt(claiming(2 ** 36 - 31), v1)).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('exceeds the format limit'),
    });
    // At the limit the length is legal: the message is only short of its body.
    await expect(decrypt(claiming(2 ** 36 - 32), v1)).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('truncated'),
    });
  });
});
