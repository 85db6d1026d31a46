import { randomBytes } from 'node:crypto';
import { FramePool, decrypt, encrypt, isPolykmsError } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import type { FrameJob, FrameTask } from '../src/workers/frame-job.js';
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

  it('rejects every job posted to a worker that dies, and serves the next job on a new one', async () => {
    const pool = new FramePool({ size: 1 });
    const job = (frames: unknown): FrameJob => ({
      op: 'seal',
      cipher: 'aes-256-gcm',
      tagLength: 16,
      key: new SharedArrayBuffer(32),
      input: new SharedArrayBuffer(16),
      output: new SharedArrayBuffer(16),
      frames: frames as FrameTask[],
    });
    try {
      // Millions of objects to deserialize: past the worker's 64 MiB heap, so it dies of it. The
      // job posted behind it, waiting in the same worker's port, is lost with it.
      const fatal = pool.run(job(Array.from({ length: 4_000_000 }, (_, i) => ({ i }))));
      const behind = pool.run(job([]));
      await expect(fatal).rejects.toThrow();
      await expect(behind).rejects.toThrow();
      await expect(pool.run(job([]))).resolves.toEqual({ ok: true });
    } finally {
      await pool.close();
    }
  });

  it('accepts workers: 0 as the calling thread', async () => {
    const { message } = await encrypt(randomBytes(2 * 1024 * 1024), { keyring, workers: 0 });
    expect(message.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });
});
