import { randomBytes } from 'node:crypto';
import { FramePool, PolykmsError, Suites, decrypt, encrypt } from '@polykms/envelope';
import { afterAll, describe, expect, it } from 'vitest';
import { aesTestKeyring } from './support/keyrings.js';
import { recordSharedArrayBuffers } from './support/shared-memory.js';

/** Every SharedArrayBuffer the library creates, to look for plaintext left behind. */
const created = recordSharedArrayBuffers();

const keyring = aesTestKeyring('parallel-decrypt');
const pool = new FramePool({ size: 2, minParallelBytes: 0 });
afterAll(() => pool.close());

async function outcome(message: Uint8Array, workers?: FramePool): Promise<string> {
  try {
    const { plaintext } = await decrypt(message, { keyring, workers });
    return `plaintext ${Buffer.from(plaintext).toString('hex')}`;
  } catch (error) {
    if (!(error instanceof PolykmsError)) throw error;
    return error.code;
  }
}

const suites = [
  Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
  Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
];

describe('decrypt with worker threads', () => {
  for (const suite of suites) {
    for (const [size, frameLength] of [
      [0, 4096],
      [4096, 4096],
      [3 * 4096 + 5, 4096],
      [1000, 7],
      [2 * 1024 * 1024 + 1, 64 * 1024],
      // More than the staging windows hold at once: windows are reused as jobs finish.
      [9 * 1024 * 1024 + 1, 64 * 1024],
    ] as const) {
      it(`returns the plaintext the single-thread path returns (${suite.name}, ${size} bytes, ${frameLength}-byte frames)`, async () => {
        const plaintext = randomBytes(size);
        const { message } = await encrypt(plaintext, { keyring, suite, frameLength });
        const result = await decrypt(message, { keyring, workers: pool });
        expect(result.plaintext.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
      });
    }

    // Only the body and footer: before them, both paths run the same header code.
    it(`fails every bit flip and truncation of the body exactly as the single-thread path does (${suite.name})`, async () => {
      const { message, header } = await encrypt(Buffer.from('forty bytes of plaintext in three frames'), {
        keyring,
        suite,
        frameLength: 16,
      });
      const original = Buffer.from(message);
      for (let bit = header.length * 8; bit < original.length * 8; bit++) {
        const flipped = Buffer.from(original);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        const single = await outcome(flipped);
        expect(single.startsWith('plaintext')).toBe(false);
        expect(await outcome(flipped, pool), `bit ${bit}`).toBe(single);
      }
      for (let length = header.length; length < original.length; length++) {
        const cut = original.subarray(0, length);
        expect(await outcome(cut, pool), `length ${length}`).toBe(await outcome(cut));
      }
      const padded = Buffer.concat([original, Buffer.of(0)]);
      expect(await outcome(padded, pool)).toBe(await outcome(padded));
    });
  }

  it('leaves no plaintext and no key in shared memory when a late frame fails', async () => {
    // Past the staging windows' capacity: the failing frame's job starts after earlier ones ended.
    const frameLength = 4096;
    const plaintext = Buffer.alloc(9 * 1024 * 1024, 0xab);
    const { message } = await encrypt(plaintext, { keyring, frameLength });
    const tampered = Buffer.from(message);
    tampered[tampered.length - 1]! ^= 1; // the final frame's tag
    created.length = 0;
    await expect(decrypt(tampered, { keyring, workers: pool })).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
    expect(created.length).toBeGreaterThanOrEqual(2); // the key, the plaintext (and the input copy)
    for (const buffer of created) {
      expect(Buffer.from(buffer).includes(Buffer.alloc(32, 0xab))).toBe(false);
    }
    const keys = created.filter((b) => b.byteLength === 32);
    expect(keys.length).toBe(1);
    expect(new Uint8Array(keys[0]!).every((b) => b === 0)).toBe(true);
  });

  it('zeroes the shared key once an encrypt and a decrypt are done', async () => {
    const { message } = await encrypt(randomBytes(100_000), { keyring, workers: pool });
    const { plaintext } = await decrypt(message, { keyring, workers: pool });
    expect(plaintext.length).toBe(100_000);
    const keys = created.filter((b) => b.byteLength === 32);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) expect(new Uint8Array(key).every((b) => b === 0)).toBe(true);
  });

  it('decrypts on the calling thread below minParallelBytes', async () => {
    const lazy = new FramePool({ size: 1 });
    try {
      const { message } = await encrypt(randomBytes(1000), { keyring });
      const { plaintext } = await decrypt(message, { keyring, workers: lazy });
      expect(plaintext.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    } finally {
      await lazy.close();
    }
  });
});
