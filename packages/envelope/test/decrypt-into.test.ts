import { randomBytes } from 'node:crypto';
import { FramePool, Suites, decrypt, decryptInto, encrypt } from '@polykms/envelope';
import { afterAll, describe, expect, it } from 'vitest';
import { aesTestKeyring } from './support/keyrings.js';

const keyring = aesTestKeyring('decrypt-into');
const pool = new FramePool({ size: 2, minParallelBytes: 0 });
afterAll(() => pool.close());

const FILL = 0xee;
/** A caller's buffer of `length` bytes at an offset inside larger memory, filled with FILL. */
function callerBuffer(length: number, shared = false): Uint8Array {
  const memory = shared ? new SharedArrayBuffer(length + 16) : new ArrayBuffer(length + 16);
  return new Uint8Array(memory, 8, length).fill(FILL);
}
/** True when no 16-byte run of `plaintext` appears in `bytes`. */
function holdsNoPlaintext(bytes: Uint8Array, plaintext: Buffer): boolean {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 16 <= plaintext.length; at += 16) {
    if (haystack.includes(plaintext.subarray(at, at + 16))) return false;
  }
  return true;
}

describe('decryptInto', () => {
  const cases = [
    { size: 0, frameLength: 4096, suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY },
    { size: 5 * 4096 + 3, frameLength: 4096, suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY },
    { size: 3 * 4096, frameLength: 4096, suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384 },
    { size: 2 * 1024 * 1024 + 7, frameLength: 64 * 1024, suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY },
  ];
  for (const { size, frameLength, suite } of cases) {
    for (const workers of [undefined, pool]) {
      it(`writes what decrypt returns (${size} bytes, ${suite.name}, ${workers ? 'workers' : 'this thread'})`, async () => {
        const plaintext = randomBytes(size);
        const { message } = await encrypt(plaintext, {
          keyring,
          frameLength,
          suite,
          encryptionContext: { a: 'b' },
        });
        const expected = await decrypt(message, { keyring });
        const out = callerBuffer(message.length, workers !== undefined);
        const result = await decryptInto(message, out, { keyring, workers });
        expect(result.length).toBe(size);
        expect(Buffer.from(out.subarray(0, result.length)).equals(plaintext)).toBe(true);
        expect(out.subarray(result.length).every((b) => b === FILL)).toBe(true);
        expect(result.encryptionContext).toEqual(expected.encryptionContext);
        expect(result.header.messageId).toEqual(expected.header.messageId);
        // Exactly the plaintext's size is enough.
        const exact = callerBuffer(size, workers !== undefined);
        expect((await decryptInto(message, exact, { keyring, workers })).length).toBe(size);
        expect(Buffer.from(exact).equals(plaintext)).toBe(true);
      });
    }
  }

  for (const workers of [undefined, pool]) {
    const where = workers ? 'workers' : 'this thread';
    it(`refuses an out too small with ERR_INVALID_ARGUMENT and leaves no plaintext in it (${where})`, async () => {
      // Several jobs' worth: frames before the one that does not fit were already decrypted.
      const plaintext = randomBytes(3 * 1024 * 1024 + 1);
      const { message } = await encrypt(plaintext, { keyring, frameLength: 64 * 1024 });
      const out = callerBuffer(plaintext.length - 1, workers !== undefined);
      await expect(decryptInto(message, out, { keyring, workers })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
        message: expect.stringContaining(`out holds ${plaintext.length - 1} bytes`),
      });
      expect(holdsNoPlaintext(out, plaintext)).toBe(true);
    });

    it(`zeroes what it wrote when the last frame fails to authenticate (${where})`, async () => {
      const plaintext = randomBytes(300_000);
      const { message } = await encrypt(plaintext, { keyring, frameLength: 4096 });
      const tampered = Buffer.from(message);
      tampered[tampered.length - 1]! ^= 1;
      const out = callerBuffer(message.length, workers !== undefined);
      await expect(decryptInto(tampered, out, { keyring, workers })).rejects.toMatchObject({
        code: 'ERR_DECRYPTION_FAILED',
      });
      expect(holdsNoPlaintext(out, plaintext)).toBe(true);
      // Past the plaintext's length, the caller's bytes are untouched.
      expect(out.subarray(plaintext.length).every((b) => b === FILL)).toBe(true);
    });
  }

  it('with workers and an ordinary (not shared) out, decrypts on this thread, same bytes', async () => {
    const plaintext = randomBytes(200_000);
    const { message } = await encrypt(plaintext, { keyring, frameLength: 4096 });
    const out = callerBuffer(message.length);
    const { length } = await decryptInto(message, out, { keyring, workers: pool });
    expect(Buffer.from(out.subarray(0, length)).equals(plaintext)).toBe(true);
  });
});
