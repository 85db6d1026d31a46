import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, encryptInto, encryptParts, encryptedLength } from '@polykms/envelope';
import { describe, expect, it, vi } from 'vitest';
import { FIXED_MESSAGE_ID, fixedKeyring } from './support/fixed-keyring.js';

vi.mock('../src/crypto/message-id.js', async () =>
  (await import('./support/fixed-keyring.js')).fixedMessageIdModule(),
);

const keyring = fixedKeyring(Buffer.alloc(32, 7));
const cases = [
  { size: 0, frameLength: 4096 },
  { size: 1, frameLength: 4096 },
  { size: 4096, frameLength: 4096 },
  { size: 3 * 4096 + 17, frameLength: 4096 },
  { size: 200_000, frameLength: 64 * 1024 },
];

describe('encryptInto and encryptParts', () => {
  it('uses the mocked message id (the comparisons below depend on it)', async () => {
    const { header } = await encrypt(Buffer.alloc(1), { keyring });
    expect(Buffer.from(header.messageId).equals(FIXED_MESSAGE_ID)).toBe(true);
  });

  for (const { size, frameLength } of cases) {
    it(`write the same bytes as encrypt (${size} bytes, ${frameLength}-byte frames)`, async () => {
      const plaintext = randomBytes(size);
      const options = { keyring, frameLength, encryptionContext: { a: 'b' } };
      const { message, header } = await encrypt(plaintext, options);
      const out = Buffer.alloc(encryptedLength(size, { headerLength: header.length, frameLength }) + 5, 0xee);
      const into = await encryptInto(plaintext, out, options);
      expect(into.length).toBe(message.length);
      expect(out.subarray(0, into.length).equals(message)).toBe(true);
      expect(out.subarray(into.length).every((b) => b === 0xee)).toBe(true);
      const parts = await encryptParts(plaintext, options);
      expect(parts.length).toBe(message.length);
      expect(Buffer.concat(parts.parts).equals(message)).toBe(true);
    });
  }

  it('gives exactly the needed length for an unsigned suite', async () => {
    const plaintext = randomBytes(10_000);
    const { message, header } = await encrypt(plaintext, { keyring, frameLength: 1000 });
    expect(encryptedLength(plaintext.length, { headerLength: header.length, frameLength: 1000 })).toBe(
      message.length,
    );
  });

  it('writes a signed message that decrypts, within the bound encryptedLength gives', async () => {
    const plaintext = randomBytes(50_000);
    const options = { keyring, suite: 0x0578, frameLength: 4096 } as const;
    const { header } = await encrypt(plaintext, options);
    const out = Buffer.alloc(encryptedLength(plaintext.length, { headerLength: header.length, ...options }));
    const { length } = await encryptInto(plaintext, out, options);
    expect(length).toBeLessThanOrEqual(out.length);
    const { plaintext: back } = await decrypt(out.subarray(0, length), { keyring });
    expect(Buffer.from(back).equals(plaintext)).toBe(true);
  });

  it('refuses an out buffer that is too small, naming the length it needs, and writes nothing', async () => {
    const out = Buffer.alloc(100, 0xee);
    await expect(encryptInto(randomBytes(1000), out, { keyring })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(/needs up to \d+/),
    });
    expect(out.every((b) => b === 0xee)).toBe(true);
  });
});
