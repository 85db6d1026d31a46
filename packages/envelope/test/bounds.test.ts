import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Suites, decrypt, encrypt, inspect, parseHeader } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { fixedKeyring } from './support/keyrings.js';

/** Limits on what a message may make us read, and messages other writers got wrong. */
const dataKey = randomBytes(32);

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

describe('bounds', () => {
  it('refuses more EDKs than maxEncryptedDataKeys (default 32) before calling any keyring', async () => {
    const { message } = await encrypt(Buffer.from('x'), { keyring: fixedKeyring(dataKey, 33) });
    let calls = 0;
    const counting = {
      ...fixedKeyring(dataKey),
      unwrap: async () => {
        calls++;
        return null;
      },
    };
    await expect(decrypt(message, { keyring: counting })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
    expect(calls).toBe(0);
    expect(() => inspect(message)).toThrow(expect.objectContaining({ code: 'ERR_LIMIT_EXCEEDED' }));
    const keyring = fixedKeyring(dataKey);
    await expect(decrypt(message, { keyring, maxEncryptedDataKeys: 33 })).resolves.toBeDefined();
    await expect(decrypt(message, { keyring, maxEncryptedDataKeys: 32 })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
  });

  it('refuses a header longer than maxHeaderBytes', async () => {
    const keyring = fixedKeyring(dataKey);
    const { message, header } = await encrypt(Buffer.from('x'), {
      keyring,
      encryptionContext: { pad: 'y'.repeat(500) },
    });
    await expect(decrypt(message, { keyring, maxHeaderBytes: header.length - 1 })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
    await expect(decrypt(message, { keyring, maxHeaderBytes: header.length })).resolves.toBeDefined();
  });

  it('a header claiming 65,535 EDKs of 65,535-byte fields in 100 bytes fails as malformed', () => {
    const header = Buffer.concat([
      Buffer.from([2, 0x04, 0x78]),
      Buffer.alloc(32),
      u16(0),
      u16(0xffff),
      u16(0xffff),
      Buffer.alloc(30),
    ]);
    expect(() => parseHeader(header, { maxEncryptedDataKeys: 0xffff })).toThrow(
      expect.objectContaining({ code: 'ERR_MALFORMED_MESSAGE' }),
    );
  });

  it('an encryption context length beyond the message fails as malformed', () => {
    const header = Buffer.concat([Buffer.from([2, 0x04, 0x78]), Buffer.alloc(32), u16(0xffff), u16(1)]);
    expect(() => parseHeader(header)).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_MESSAGE' }));
  });

  it('a final frame claiming up to 4 GiB of content ends as a typed error without waiting for it', async () => {
    const keyring = fixedKeyring(dataKey);
    const { message, header } = await encrypt(Buffer.from('tiny'), { keyring, frameLength: 0xffff_ffff });
    const tampered = Buffer.from(message);
    // Final frame: marker (4) | sequence number (4) | IV (12) | content length (4) | ...
    tampered.writeUInt32BE(0xffff_fff0, header.length + 4 + 4 + 12);
    await expect(decrypt(tampered, { keyring })).rejects.toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
  });

  it('a regular frame whose sequence number skips ahead is rejected', async () => {
    const keyring = fixedKeyring(dataKey);
    const { message, header } = await encrypt(Buffer.alloc(40), { keyring, frameLength: 16 });
    const tampered = Buffer.from(message);
    tampered.writeUInt32BE(2, header.length);
    await expect(decrypt(tampered, { keyring })).rejects.toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
  });
});

describe('ESDK-NET 4.0.0 required-context AAD', () => {
  /**
   * ESDK-NET 4.0.0 appended a u16 0 (an empty pair count) to the header-tag AAD when no pair was
   * required, where the format wants zero bytes. Such a message is built here with a correct
   * commitment key and a tag over header ‖ 00 00: it must be rejected.
   */
  it('rejects a message whose header tag covers a u16 0 instead of nothing', async () => {
    const keyring = fixedKeyring(dataKey);
    const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    const { message } = await encrypt(Buffer.from('net'), { keyring, suite, encryptionContext: { a: 'b' } });
    const header = parseHeader(message);
    const info = Buffer.concat([u16(suite.id), Buffer.from('DERIVEKEY')]);
    const key = Buffer.from(hkdfSync('sha512', dataKey, header.messageId, info, 32));
    const tagOver = (aad: Buffer) => {
      const cipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12));
      cipher.setAAD(aad);
      cipher.final();
      return cipher.getAuthTag();
    };
    const body = Buffer.from(message.subarray(0, header.length - 16));
    // The construction is right: over the header alone it reproduces the real tag.
    expect(tagOver(body).equals(Buffer.from(header.headerTag))).toBe(true);
    const netStyle = Buffer.from(message);
    tagOver(Buffer.concat([body, u16(0)])).copy(netStyle, header.length - 16);
    await expect(decrypt(netStyle, { keyring })).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
  });
});
