import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FrameOpening } from '../src/crypto/frame-opening.js';

const key = randomBytes(32);
const iv = randomBytes(12);

function sealed(plaintext: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

function opening(contentLength: number, capacities: number[]): FrameOpening {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  return new FrameOpening(decipher, contentLength, (capacity) => {
    capacities.push(capacity);
    return Buffer.alloc(capacity);
  });
}

describe('FrameOpening', () => {
  it('gathers a frame split into pieces and releases its plaintext only after the tag', () => {
    const plaintext = randomBytes(5000);
    const { ciphertext, tag } = sealed(plaintext);
    const capacities: number[] = [];
    const frame = opening(plaintext.length, capacities);
    for (let offset = 0; offset < ciphertext.length; offset += 777) {
      frame.update(ciphertext.subarray(offset, offset + 777));
    }
    expect(Buffer.concat(frame.finish(tag)).equals(plaintext)).toBe(true);
    expect(Math.max(...capacities)).toBeLessThanOrEqual(plaintext.length);
  });

  it('grows its buffer with what arrived, not with the content length a message claims', () => {
    const capacities: number[] = [];
    const frame = opening(2 ** 32 - 1, capacities);
    let received = 0;
    for (let i = 0; i < 6; i++) {
      frame.update(randomBytes(1000));
      received += 1000;
      expect(Math.max(...capacities)).toBeLessThanOrEqual(2 * received);
    }
    frame.discard();
  });

  it('decrypts a frame that arrives whole without gathering it', () => {
    const plaintext = randomBytes(4096);
    const { ciphertext, tag } = sealed(plaintext);
    const capacities: number[] = [];
    const frame = opening(plaintext.length, capacities);
    frame.update(ciphertext);
    expect(Buffer.concat(frame.finish(tag)).equals(plaintext)).toBe(true);
    expect(capacities).toEqual([]);
  });

  it('throws DecryptionFailedError and releases nothing on a bad tag', () => {
    const plaintext = randomBytes(3000);
    const { ciphertext, tag } = sealed(plaintext);
    tag[0]! ^= 1;
    const frame = opening(plaintext.length, []);
    frame.update(ciphertext.subarray(0, 1000));
    frame.update(ciphertext.subarray(1000));
    expect(() => frame.finish(tag)).toThrow(expect.objectContaining({ code: 'ERR_DECRYPTION_FAILED' }));
  });
});
