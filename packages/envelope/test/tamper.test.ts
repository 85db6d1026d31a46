import { PolykmsError, Suites, decrypt, encrypt } from '@polykms/envelope';
import { beforeAll, describe, expect, it } from 'vitest';
import { aesTestKeyring } from './support/keyrings.js';

/**
 * Exhaustive tampering of one small multi-frame message per committing suite: every single-bit
 * flip and every truncation must end in a typed error, never in another exception and never in
 * plaintext. (Nothing in a message is unauthenticated, so no flip may go unnoticed.)
 */
const keyring = aesTestKeyring('tamper');
/** Three frames at frame length 16: two full ones and a final one of 8 bytes. */
const plaintext = Buffer.from('forty bytes of plaintext in three frames');

async function outcome(message: Uint8Array): Promise<'plaintext' | PolykmsError | Error> {
  try {
    await decrypt(message, { keyring });
    return 'plaintext';
  } catch (error) {
    return error instanceof PolykmsError ? error : (error as Error);
  }
}

for (const suite of [
  Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
  Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
]) {
  describe(`tampering with a ${suite.name} message`, () => {
    let message: Buffer;
    beforeAll(async () => {
      const encrypted = await encrypt(plaintext, {
        keyring,
        suite,
        frameLength: 16,
        encryptionContext: { k: 'v' },
      });
      message = Buffer.from(encrypted.message);
      expect(Buffer.from((await decrypt(message, { keyring })).plaintext).equals(plaintext)).toBe(true);
    });

    it('rejects every single-bit flip with a typed error', async () => {
      const untyped: string[] = [];
      const accepted: number[] = [];
      for (let bit = 0; bit < message.length * 8; bit++) {
        const tampered = Buffer.from(message);
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        const result = await outcome(tampered);
        if (result === 'plaintext') accepted.push(bit);
        else if (!(result instanceof PolykmsError))
          untyped.push(`bit ${bit}: ${result.name} ${result.message}`);
      }
      expect(accepted).toEqual([]);
      expect(untyped).toEqual([]);
    }, 120_000);

    it('rejects every truncation with a typed error', async () => {
      const failures: string[] = [];
      for (let length = 0; length < message.length; length++) {
        const result = await outcome(message.subarray(0, length));
        if (!(result instanceof PolykmsError)) failures.push(`length ${length}: ${String(result)}`);
      }
      expect(failures).toEqual([]);
    });

    it('rejects trailing bytes after the message', async () => {
      const result = await outcome(Buffer.concat([message, Buffer.from([0])]));
      expect(result).toBeInstanceOf(PolykmsError);
    });
  });
}
