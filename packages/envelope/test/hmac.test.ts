import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HmacHash, hmac } from '../src/crypto/hmac.js';

describe('one-shot HMAC from node:crypto hash', () => {
  it('agrees with createHmac for every hash, key length (shorter and longer than a block) and message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<HmacHash>('sha256', 'sha384', 'sha512'),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 }),
        (hash, key, parts) => {
          const ours = hmac(hash, key, parts);
          const node = createHmac(hash, key);
          for (const part of parts) node.update(part);
          expect(ours.toString('hex')).toBe(node.digest('hex'));
        },
      ),
    );
  });

  it('matches RFC 4231 test case 2 (HMAC-SHA-512, key "Jefe")', () => {
    const mac = hmac('sha512', Buffer.from('Jefe'), [Buffer.from('what do ya want for nothing?')]);
    expect(mac.toString('hex')).toBe(
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    );
  });

  it('agrees with createHmac on messages longer than its scratch buffer, and after them', () => {
    const key = Buffer.alloc(40, 7);
    const long = Buffer.alloc(5000, 9);
    expect(hmac('sha384', key, [long]).equals(createHmac('sha384', key).update(long).digest())).toBe(true);
    const short = Buffer.from('after');
    expect(hmac('sha256', key, [short]).equals(createHmac('sha256', key).update(short).digest())).toBe(true);
  });
});
