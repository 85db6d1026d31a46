import { randomBytes } from 'node:crypto';
import { FramePool, decrypt, encrypt, isPolykmsError } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { aesTestKeyring } from './support/keyrings.js';

const keyring = aesTestKeyring('frame-pool');

describe('FramePool', () => {
  it('refuses a size that is not an integer from 1 to 256, and a negative minParallelBytes', () => {
    for (const size of [0, 1.5, 257, Number.NaN]) {
      expect(() => new FramePool({ size })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
    expect(() => new FramePool({ size: 1, minParallelBytes: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  it('serves many messages from the same kept-alive threads, then refuses work once closed', async () => {
    const pool = new FramePool({ size: 2, minParallelBytes: 0 });
    const plaintexts = Array.from({ length: 8 }, (_, i) => randomBytes(50_000 + i));
    const messages = await Promise.all(
      plaintexts.map((p) => encrypt(p, { keyring, frameLength: 4096, workers: pool })),
    );
    const opened = await Promise.all(
      messages.map(({ message }) => decrypt(message, { keyring, workers: pool })),
    );
    for (const [i, { plaintext }] of opened.entries()) {
      expect(Buffer.from(plaintext).equals(plaintexts[i]!)).toBe(true);
    }
    await pool.close();
    const error = await encrypt(randomBytes(10), { keyring, workers: pool }).catch((e: unknown) => e);
    expect(isPolykmsError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('accepts workers: 0 as the calling thread', async () => {
    const { message } = await encrypt(randomBytes(2 * 1024 * 1024), { keyring, workers: 0 });
    expect(message.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });
});
