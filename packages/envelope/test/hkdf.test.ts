import { hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HkdfHash, hkdfExpand, hkdfExtract } from '../src/crypto/hkdf.js';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('HKDF (extract and expand over the one-shot HMAC)', () => {
  it('matches RFC 5869 test case 1 (SHA-256)', () => {
    const prk = hkdfExtract('sha256', hex('000102030405060708090a0b0c'), hex('0b'.repeat(22)));
    expect(prk.toString('hex')).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    const okm = hkdfExpand('sha256', prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(okm.toString('hex')).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('matches RFC 5869 test case 3 (no salt, no info)', () => {
    const prk = hkdfExtract('sha256', new Uint8Array(0), hex('0b'.repeat(22)));
    const okm = hkdfExpand('sha256', prk, new Uint8Array(0), 42);
    expect(okm.toString('hex')).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('agrees with hkdfSync for every hash, salt, info and length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<HkdfHash>('sha256', 'sha384', 'sha512'),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.integer({ min: 1, max: 300 }),
        (hash, inputKey, salt, info, length) => {
          const ours = hkdfExpand(hash, hkdfExtract(hash, salt, inputKey), info, length);
          const node = Buffer.from(hkdfSync(hash, inputKey, salt, info, length));
          expect(ours.equals(node)).toBe(true);
        },
      ),
    );
  });

  it('refuses lengths HKDF cannot produce', () => {
    const prk = hkdfExtract('sha256', new Uint8Array(0), hex('01'));
    expect(() => hkdfExpand('sha256', prk, new Uint8Array(0), 0)).toThrow(RangeError);
    expect(() => hkdfExpand('sha256', prk, new Uint8Array(0), 255 * 32 + 1)).toThrow(RangeError);
  });
});
