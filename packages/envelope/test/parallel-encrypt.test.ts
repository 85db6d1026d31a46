import { randomBytes } from 'node:crypto';
import { FramePool, decrypt, encrypt, encryptInto, encryptedLength } from '@polykms/envelope';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { framedBodyLength } from '../src/format/body.js';
import { FIXED_MESSAGE_ID, fixedKeyring } from './support/fixed-keyring.js';
import { recordSharedArrayBuffers } from './support/shared-memory.js';

vi.mock('../src/crypto/message-id.js', async () =>
  (await import('./support/fixed-keyring.js')).fixedMessageIdModule(),
);
vi.mock('../src/crypto/signature.js', async (importOriginal) =>
  (await import('./support/fixed-keyring.js')).fixedSigningKeyModule(importOriginal),
);

/** Every SharedArrayBuffer the library creates, to look for plaintext left behind. */
const created = recordSharedArrayBuffers();
const keyring = fixedKeyring(Buffer.alloc(32, 9));
// minParallelBytes 0: even the smallest message goes through the workers.
const pool = new FramePool({ size: 2, minParallelBytes: 0 });
afterAll(() => pool.close());

const cases = [
  { size: 0, frameLength: 4096 },
  { size: 1, frameLength: 4096 },
  { size: 4096, frameLength: 4096 },
  { size: 5 * 4096, frameLength: 4096 },
  { size: 5 * 4096 + 1, frameLength: 4096 },
  { size: 1000, frameLength: 1 },
  { size: 3 * 1024 * 1024 + 333, frameLength: 64 * 1024 },
  { size: 2 * 1024 * 1024, frameLength: 1024 * 1024 },
  // More than the staging windows hold at once: windows are reused as jobs finish.
  { size: 9 * 1024 * 1024 + 1, frameLength: 64 * 1024 },
];

describe('encrypt with worker threads', () => {
  it('runs with the mocked message id (byte comparisons depend on it)', async () => {
    const { header } = await encrypt(Buffer.alloc(1), { keyring, workers: pool });
    expect(Buffer.from(header.messageId).equals(FIXED_MESSAGE_ID)).toBe(true);
  });

  for (const { size, frameLength } of cases) {
    it(`writes the bytes the single-thread path writes (${size} bytes, ${frameLength}-byte frames)`, async () => {
      const plaintext = randomBytes(size);
      const options = { keyring, frameLength, encryptionContext: { purpose: 'test' } };
      const single = await encrypt(plaintext, options);
      const parallel = await encrypt(plaintext, { ...options, workers: pool });
      expect(parallel.message.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.from(parallel.message).equals(Buffer.from(single.message))).toBe(true);
    });
  }

  it('leaves no plaintext in the staging windows it filled', async () => {
    const plaintext = Buffer.alloc(9 * 1024 * 1024, 0xcd);
    created.length = 0;
    const { message } = await encrypt(plaintext, { keyring, frameLength: 64 * 1024, workers: pool });
    const staging = created.filter((b) => b !== message.buffer && b.byteLength >= 1024 * 1024);
    expect(staging.length).toBeGreaterThanOrEqual(2);
    for (const buffer of staging) expect(new Uint8Array(buffer).every((b) => b === 0)).toBe(true);
  });

  it('seals from a plaintext in shared memory without copying it, same bytes', async () => {
    const plaintext = Buffer.from(new SharedArrayBuffer(300_000 + 7)).subarray(7);
    plaintext.set(randomBytes(plaintext.length));
    const single = await encrypt(plaintext, { keyring, frameLength: 8192 });
    const parallel = await encrypt(plaintext, { keyring, frameLength: 8192, workers: pool });
    expect(Buffer.from(parallel.message).equals(Buffer.from(single.message))).toBe(true);
  });

  for (const size of [0, 4096, 200_000 + 5]) {
    it(`writes a signed (0x0578) message whose header and body match the single-thread path, and whose signature verifies (${size} bytes)`, async () => {
      const plaintext = randomBytes(size);
      const options = { keyring, frameLength: 4096, suite: 0x0578 } as const;
      const single = await encrypt(plaintext, options);
      const parallel = await encrypt(plaintext, { ...options, workers: pool });
      const bodyEnd = single.header.length + framedBodyLength(size, 4096);
      expect(
        Buffer.from(parallel.message)
          .subarray(0, bodyEnd)
          .equals(Buffer.from(single.message).subarray(0, bodyEnd)),
      ).toBe(true);
      const { plaintext: back } = await decrypt(parallel.message, { keyring });
      expect(Buffer.from(back).equals(plaintext)).toBe(true);
    });
  }

  it('encryptInto with workers writes into a shared out buffer, same bytes as encrypt', async () => {
    const plaintext = randomBytes(100_000);
    const single = await encrypt(plaintext, { keyring, frameLength: 4096 });
    const out = Buffer.from(
      new SharedArrayBuffer(
        encryptedLength(plaintext.length, { headerLength: single.header.length, frameLength: 4096 }),
      ),
    );
    const { length } = await encryptInto(plaintext, out, { keyring, frameLength: 4096, workers: pool });
    expect(out.subarray(0, length).equals(Buffer.from(single.message))).toBe(true);
  });

  it('refuses a bad workers option before calling the keyring', async () => {
    const wrap = vi.fn(keyring.wrap);
    await expect(
      encrypt(Buffer.alloc(1), { keyring: { ...keyring, wrap }, workers: -1 }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect(wrap).not.toHaveBeenCalled();
  });
});

describe('a pool that collects after each job', () => {
  it('seals the same bytes (its workers load the GC helper from the sources in tests too)', async () => {
    const collecting = new FramePool({ size: 1, minParallelBytes: 0, collectAfterJobs: true });
    try {
      const plaintext = randomBytes(300_000);
      const single = await encrypt(plaintext, { keyring, frameLength: 4096 });
      const parallel = await encrypt(plaintext, { keyring, frameLength: 4096, workers: collecting });
      expect(Buffer.from(parallel.message).equals(Buffer.from(single.message))).toBe(true);
    } finally {
      await collecting.close();
    }
  });
});
