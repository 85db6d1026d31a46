import { createCipheriv, randomBytes } from 'node:crypto';
import { decrypt, encrypt, encryptInto, encryptedLength, rewrap } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { freeNow } from '../src/crypto/free-now.js';
import { fixedKeyring } from './support/fixed-keyring.js';
import { aesTestKeyring } from './support/keyrings.js';

const MiB = 1024 * 1024;

function cipherOutput(length: number): Buffer {
  return createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12)).update(randomBytes(length));
}

describe('freeNow', () => {
  it('frees a buffer that is the whole of its ArrayBuffer (a node:crypto output)', () => {
    const output = cipherOutput(64 * 1024);
    const memory = output.buffer;
    freeNow(output);
    expect(memory.byteLength).toBe(0);
    expect(output.length).toBe(0);
  });

  it('leaves alone what is not wholly its own: pool slices, views into larger memory, shared memory', () => {
    const pooled = Buffer.from('a small buffer from the shared pool');
    const larger = Buffer.alloc(1024, 1);
    const view = larger.subarray(0, 512);
    const shared = Buffer.from(new SharedArrayBuffer(64));
    for (const bytes of [pooled, view, shared]) freeNow(bytes);
    expect(pooled.toString()).toBe('a small buffer from the shared pool');
    expect(larger.every((b) => b === 1)).toBe(true);
    expect(shared.length).toBe(64);
  });
});

describe('buffered encryption and decryption free their frame buffers at once', () => {
  // V8 frees memory outside its heap only when a collection finds its owners dead; a 16 MiB
  // message in 64 KiB frames would leave 256 dead frame buffers (16 MiB) behind without freeNow.
  const keyring = fixedKeyring(Buffer.alloc(32, 7));
  const plaintext = randomBytes(16 * MiB);
  const frameLength = 64 * 1024;

  function growth(run: () => Promise<unknown>): Promise<number> {
    const before = process.memoryUsage().arrayBuffers;
    return run().then(() => process.memoryUsage().arrayBuffers - before);
  }

  it('encryptInto allocates almost nothing beyond the caller buffer', async () => {
    const { header } = await encrypt(Buffer.alloc(1), { keyring, frameLength });
    const out = Buffer.alloc(encryptedLength(plaintext.length, { headerLength: header.length, frameLength }));
    const grown = await growth(() => encryptInto(plaintext, out, { keyring, frameLength }));
    expect(grown).toBeLessThan(2 * MiB);
  });

  it('a buffered re-encrypting rewrap allocates the message it returns and little more', async () => {
    // It decrypts a step at a time and frees each step's plaintext, then its joined frames.
    const owner = aesTestKeyring('free-now');
    const { message } = await encrypt(plaintext, { keyring: owner, frameLength });
    let moved: Uint8Array | undefined;
    const grown = await growth(async () => {
      moved = (await rewrap(message, { decryptKeyring: owner, keyring: owner, mode: 'replace' })).message;
    });
    expect(moved?.length).toBe(message.length);
    expect(grown).toBeLessThan(message.length + 4 * MiB);
  });

  it('decrypt allocates the plaintext it returns and little more', async () => {
    const { message } = await encrypt(plaintext, { keyring, frameLength });
    let result: Uint8Array | undefined;
    const grown = await growth(async () => {
      result = (await decrypt(message, { keyring })).plaintext;
    });
    expect(Buffer.from(result ?? []).equals(plaintext)).toBe(true);
    expect(grown).toBeLessThan(message.length + 2 * MiB);
  });
});
