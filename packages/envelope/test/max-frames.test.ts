import { randomBytes } from 'node:crypto';
import { DEFAULT_MAX_FRAMES, FramePool, decrypt, encrypt } from '@polykms/envelope';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedKeyring } from './support/keyrings.js';
import { runDecryptStream } from './support/run-decrypt-stream.js';

// A message of 1-byte frames is well formed, and costs a cipher setup and a tag check per byte.
const dataKey = randomBytes(32);
const keyring = fixedKeyring(dataKey);
const plaintext = randomBytes(100);
// 100 one-byte frames: 99 regular ones and the final frame, or 100 and an empty final frame.
const tinyFrames = encrypt(plaintext, { keyring, frameLength: 1 }).then((r) => r.message);

// Frames opened on worker threads are counted too: `workers` must not lift the bound.
const pool = new FramePool({ size: 2, minParallelBytes: 0 });
afterAll(() => pool.close());

describe('maxFrames', () => {
  it('is 2^24 by default', () => {
    expect(DEFAULT_MAX_FRAMES).toBe(16_777_216);
  });

  it('decrypts a message of 1-byte frames within the bound, buffered and streamed', async () => {
    const message = await tinyFrames;
    const result = await decrypt(message, { keyring, maxFrames: 101 });
    expect(Buffer.from(result.plaintext)).toEqual(plaintext);
    const streamed = await runDecryptStream([message], { keyring, maxFrames: 101 });
    expect(streamed.error).toBeUndefined();
    expect(streamed.released).toEqual(plaintext);
  });

  it('refuses a message too long for the bound before any keyring call (buffered)', async () => {
    let calls = 0;
    const counting = {
      ...keyring,
      unwrap: async (request: Parameters<typeof keyring.unwrap>[0]) => {
        calls++;
        return keyring.unwrap(request);
      },
    };
    await expect(decrypt(await tinyFrames, { keyring: counting, maxFrames: 50 })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
      message: expect.stringContaining('maxFrames (50)'),
    });
    expect(calls).toBe(0);
  });

  it('stops a stream at the bound: no frame past it is opened or released', async () => {
    const message = await tinyFrames;
    // Fed a byte at a time, as a slow network would.
    const chunks = Array.from(message, (byte) => Uint8Array.of(byte));
    const streamed = await runDecryptStream(chunks, { keyring, maxFrames: 50 });
    expect(streamed.error).toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
    expect(streamed.released.length).toBeLessThanOrEqual(50);
    expect(streamed.released).toEqual(plaintext.subarray(0, streamed.released.length));
  });

  it('holds on worker threads too: buffered refused, a stream stopped at the bound, within it all released', async () => {
    const message = await tinyFrames;
    await expect(decrypt(message, { keyring, maxFrames: 50, workers: pool })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
    const streamed = await runDecryptStream([message], { keyring, maxFrames: 50, workers: pool });
    expect(streamed.error).toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
      message: expect.stringContaining('maxFrames (50)'),
    });
    expect(streamed.released.length).toBeLessThanOrEqual(50);
    const within = await runDecryptStream([message], { keyring, maxFrames: 101, workers: pool });
    expect(within.error).toBeUndefined();
    expect(within.released).toEqual(plaintext);
  });
});
