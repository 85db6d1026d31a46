import { randomBytes } from 'node:crypto';
import { decrypt, encrypt } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../src/format/output-buffer.js';
import { aesTestKeyring } from './support/keyrings.js';

/** The bytes of `view`'s ArrayBuffer after its end. */
function tailAfter(view: Uint8Array): Buffer {
  return Buffer.from(
    view.buffer,
    view.byteOffset + view.length,
    view.buffer.byteLength - view.byteOffset - view.length,
  );
}

describe('OutputBuffer', () => {
  it('zeroes the unwritten capacity before handing out the bytes', () => {
    const out = new OutputBuffer(64 * 1024);
    out.append([Buffer.alloc(1000, 7)]);
    const bytes = out.finish();
    expect(bytes.length).toBe(1000);
    expect(tailAfter(bytes).length).toBeGreaterThan(0);
    expect(tailAfter(bytes).every((b) => b === 0)).toBe(true);
  });

  it('refuses more bytes than its capacity', () => {
    const out = new OutputBuffer(4);
    expect(() => out.append([Buffer.alloc(5)])).toThrow(RangeError);
  });

  it('wipe zeroes what was written', () => {
    const out = new OutputBuffer(8192);
    out.append([Buffer.alloc(8192, 9)]);
    out.wipe();
    expect(out.finish().every((b) => b === 0)).toBe(true);
  });
});

describe('buffered decrypt output', () => {
  it('exposes no uninitialised memory after the plaintext through .buffer', async () => {
    const keyring = aesTestKeyring('output');
    const plaintext = randomBytes(100_000);
    const { message } = await encrypt(plaintext, { keyring, frameLength: 4096 });
    const result = await decrypt(message, { keyring });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    expect(tailAfter(result.plaintext).length).toBeGreaterThan(0);
    expect(tailAfter(result.plaintext).every((b) => b === 0)).toBe(true);
  });
});
