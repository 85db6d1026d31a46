import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Suites } from '@polykms/envelope';
import { BodyDecryptor } from '../src/body/decryptor.js';
import { BodyEncryptor } from '../src/body/encryptor.js';
import { FrameCipher } from '../src/crypto/frame-cipher.js';
import type { MessageHeader } from '../src/format/header.js';
import { bytes } from './stream-test-keyring.js';

const FRAME = 64;
const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const cipher = new FrameCipher(suite, createSecretKey(randomBytes(32)), randomBytes(32));
/** BodyDecryptor reads only these two header fields. */
const header = { contentType: 'framed', frameLength: FRAME } as MessageHeader;

/**
 * Encrypts `plaintext` pushed in chunks of the given sizes (cycled), each a fresh copy; the last
 * chunk goes to `finish` instead when asked.
 */
function encryptBody(
  plaintext: Uint8Array,
  sizes: readonly number[],
  last: 'last chunk to push' | 'last chunk to finish' = 'last chunk to push',
): Buffer {
  const body = new BodyEncryptor(cipher, FRAME, undefined);
  const chunks: Buffer[] = [];
  for (let offset = 0, i = 0; offset < plaintext.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(Buffer.from(plaintext.subarray(offset, offset + size)));
    offset += size;
  }
  const final = last === 'last chunk to finish' ? chunks.pop() : undefined;
  const out: Uint8Array[] = [];
  for (const chunk of chunks) out.push(...body.push(chunk));
  out.push(...body.finish(final));
  return Buffer.concat(out);
}

function decryptBody(body: Uint8Array): Buffer {
  const decryptor = new BodyDecryptor(header, cipher, undefined);
  const plaintext = decryptor.push(body);
  decryptor.finish();
  return Buffer.concat(plaintext);
}

describe('BodyEncryptor', () => {
  it('writes the same body bytes however the plaintext is chunked', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 * FRAME }),
        fc.array(fc.integer({ min: 1, max: 3 * FRAME }), { minLength: 1, maxLength: 6 }),
        (length, sizes) => {
          const plaintext = bytes(length, length + 1);
          const whole = encryptBody(plaintext, [Math.max(1, length)]);
          expect(encryptBody(plaintext, sizes).equals(whole)).toBe(true);
          expect(encryptBody(plaintext, sizes, 'last chunk to finish').equals(whole)).toBe(true);
          expect(decryptBody(whole).equals(plaintext)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes a frame fed one byte at a time like one fed at once', () => {
    const plaintext = bytes(3 * FRAME + 5);
    expect(encryptBody(plaintext, [1]).equals(encryptBody(plaintext, [plaintext.length]))).toBe(true);
  });

  it('ends with an empty final frame when the plaintext fills the last frame exactly', () => {
    const body = encryptBody(bytes(2 * FRAME), [FRAME]);
    const regular = 4 + 12 + FRAME + 16;
    const final = 4 + 4 + 12 + 4 + 0 + 16;
    expect(body.length).toBe(2 * regular + final);
    expect(body.readUInt32BE(2 * regular)).toBe(0xffff_ffff);
    expect(body.readUInt32BE(2 * regular + 4)).toBe(3);
    expect(body.readUInt32BE(2 * regular + 20)).toBe(0);
  });

  it('keeps no reference to a chunk that did not complete a frame', () => {
    const plaintext = bytes(FRAME + 10);
    const body = new BodyEncryptor(cipher, FRAME, undefined);
    const chunk = Buffer.from(plaintext.subarray(0, 30));
    const out = [...body.push(chunk)];
    chunk.fill(0xee); // the caller reuses its buffer
    out.push(...body.push(Buffer.from(plaintext.subarray(30))), ...body.finish());
    expect(decryptBody(Buffer.concat(out)).equals(plaintext)).toBe(true);
  });
});

describe('BodyEncryptor sequence numbers', () => {
  const LAST = 0xffff_ffff; // the largest sequence number, and also the final-frame marker
  const regular = 4 + 12 + FRAME + 16;

  /** What the encryptor threw, or undefined. */
  function thrownBy(action: () => unknown): unknown {
    try {
      action();
    } catch (error) {
      return error;
    }
    return undefined;
  }

  it('never writes a regular frame numbered 0xFFFFFFFF: more plaintext is refused instead', () => {
    const body = new BodyEncryptor(cipher, FRAME, undefined, LAST - 2);
    const written = Buffer.concat(body.push(bytes(2 * FRAME)));
    expect(written.length).toBe(2 * regular);
    expect([written.readUInt32BE(0), written.readUInt32BE(regular)]).toEqual([LAST - 2, LAST - 1]);
    const out: Uint8Array[] = [];
    const error = thrownBy(() => out.push(...body.push(bytes(FRAME))));
    expect(error).toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
    expect(out).toHaveLength(0);
  });

  it('refuses, through finish too, plaintext that would complete a regular frame 0xFFFFFFFF', () => {
    const body = new BodyEncryptor(cipher, FRAME, undefined, LAST);
    expect(body.push(bytes(10))).toHaveLength(0);
    expect(thrownBy(() => body.finish(bytes(FRAME - 10)))).toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
  });

  it('gives the number 0xFFFFFFFF to the final frame, however the plaintext arrives', () => {
    const plaintext = bytes(FRAME + 5);
    const pushed = new BodyEncryptor(cipher, FRAME, undefined, LAST - 1);
    const viaPush = Buffer.concat([...pushed.push(plaintext), ...pushed.finish()]);
    const viaFinish = Buffer.concat(new BodyEncryptor(cipher, FRAME, undefined, LAST - 1).finish(plaintext));
    for (const body of [viaPush, viaFinish]) {
      expect(body.length).toBe(regular + 4 + 4 + 12 + 4 + 5 + 16);
      expect(body.readUInt32BE(0)).toBe(LAST - 1);
      expect([body.readUInt32BE(regular), body.readUInt32BE(regular + 4)]).toEqual([LAST, LAST]);
      expect(body.readUInt32BE(regular + 20)).toBe(5);
    }
    const empty = new BodyEncryptor(cipher, FRAME, undefined, LAST - 1);
    const exact = Buffer.concat([...empty.push(bytes(FRAME)), ...empty.finish()]);
    expect([exact.readUInt32BE(regular), exact.readUInt32BE(regular + 4)]).toEqual([LAST, LAST]);
    expect(exact.readUInt32BE(regular + 20)).toBe(0);
  });
});

describe('BodyDecryptor', () => {
  it('returns nothing until a frame tag has verified, however the frame is split', () => {
    const plaintext = bytes(2 * FRAME + 3);
    const body = encryptBody(plaintext, [plaintext.length]);
    const frameEnd = 4 + 12 + FRAME + 16;
    const decryptor = new BodyDecryptor(header, cipher, undefined);
    const released: Buffer[] = [];
    for (let offset = 0; offset < frameEnd - 1; offset++) {
      released.push(...decryptor.push(body.subarray(offset, offset + 1)));
    }
    expect(released).toHaveLength(0);
    released.push(...decryptor.push(body.subarray(frameEnd - 1, frameEnd)));
    expect(Buffer.concat(released).equals(plaintext.subarray(0, FRAME))).toBe(true);
  });

  it('rejects a split frame with a bad tag and returns none of its plaintext', () => {
    const plaintext = bytes(2 * FRAME + 3);
    const body = encryptBody(plaintext, [plaintext.length]);
    const frameEnd = 4 + 12 + FRAME + 16;
    body[frameEnd - 8]! ^= 1;
    const decryptor = new BodyDecryptor(header, cipher, undefined);
    const released: Buffer[] = [];
    let error: unknown;
    try {
      for (let offset = 0; offset < body.length; offset += 5) {
        released.push(...decryptor.push(body.subarray(offset, offset + 5)));
      }
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    expect(released).toHaveLength(0);
  });
});
