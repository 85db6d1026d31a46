import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Suites, decrypt, encrypt, parseHeader } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { taggedHeader, v2Keys } from './support/forge.js';
import { fixedKeyring } from './support/keyrings.js';

describe('v2 header authentication', () => {
  for (const suite of [
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  ]) {
    it(`tags the whole header body, commitment key included (${suite.name})`, async () => {
      const dataKey = randomBytes(32);
      const { message } = await encrypt(Buffer.from('x'), {
        keyring: fixedKeyring(dataKey),
        suite,
        encryptionContext: { a: 'b' },
      });
      const header = parseHeader(message, {});
      const info = Buffer.concat([Buffer.from([suite.id >> 8, suite.id & 0xff]), Buffer.from('DERIVEKEY')]);
      const key = Buffer.from(hkdfSync('sha512', dataKey, header.messageId, info, 32));
      const cipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12));
      cipher.setAAD(message.subarray(0, header.length - 16));
      cipher.final();
      expect(Buffer.from(header.headerTag).equals(cipher.getAuthTag())).toBe(true);
    });
  }

  it('rejects a message whose commitment key was flipped', async () => {
    const dataKey = randomBytes(32);
    const keyring = fixedKeyring(dataKey);
    const { message } = await encrypt(Buffer.from('x'), { keyring });
    const tampered = Buffer.from(message);
    const header = parseHeader(message, {});
    tampered[header.length - 17]! ^= 1;
    await expect(decrypt(tampered, { keyring })).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
  });

  it('rejects a wrong commitment key even under a header tag made for it with the right data key', async () => {
    const dataKey = randomBytes(32);
    const keyring = fixedKeyring(dataKey);
    const { message } = await encrypt(Buffer.from('committed'), { keyring });
    const header = parseHeader(message, {});
    const { key } = v2Keys(header.suite.id, dataKey, header.messageId);
    // The construction is right: it reproduces the real header.
    expect(taggedHeader(key, header.authenticatedBytes).equals(message.subarray(0, header.length))).toBe(
      true,
    );

    const authenticated = Buffer.from(header.authenticatedBytes);
    authenticated[authenticated.length - 1]! ^= 1; // last byte of the commitment key
    const forged = Buffer.concat([taggedHeader(key, authenticated), message.subarray(header.length)]);
    // Header tag and frames are authentic: only the commitment check is left to refuse it.
    await expect(decrypt(forged, { keyring })).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
  });
});
