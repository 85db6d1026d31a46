import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MultiKeyring, Suites, decrypt, encrypt, inspect, parseHeader } from '@polykms/envelope';
import { aesTestKeyring } from './support/keyrings.js';

describe('encrypt and decrypt', () => {
  const keyring = aesTestKeyring('a');
  const frameLength = 64;

  for (const suite of [
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  ]) {
    for (const size of [0, 1, frameLength - 1, frameLength, frameLength + 1, frameLength * 3 + 5]) {
      it(`round-trips ${size} bytes with suite ${suite.name}`, async () => {
        const plaintext = randomBytes(size);
        const { message } = await encrypt(plaintext, {
          keyring,
          suite,
          frameLength,
          encryptionContext: { purpose: 'test', ключ: 'значение', Mixed: 'Case' },
        });
        const result = await decrypt(message, { keyring });
        expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
        expect(result.encryptionContext.purpose).toBe('test');
      });
    }
  }

  it('writes suite 0x0478 by default and inspect reports the header without a key', async () => {
    const { message } = await encrypt(Buffer.from('hello'), { keyring, encryptionContext: { a: 'b' } });
    const info = inspect(message);
    expect(info).toMatchObject({
      version: 2,
      suiteId: 0x0478,
      committing: true,
      signed: false,
      contentType: 'framed',
      encryptionContext: { a: 'b' },
    });
    expect(info.encryptedDataKeys).toEqual([{ providerId: 'test', providerInfo: 'a', ciphertextLength: 60 }]);
  });

  it('refuses reserved context keys on encrypt', async () => {
    await expect(
      encrypt(Buffer.from('x'), { keyring, encryptionContext: { 'aws-crypto-public-key': 'x' } }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('fails with ERR_CONTEXT_MISMATCH when a stored pair has another value', async () => {
    const { message } = await encrypt(Buffer.from('x'), { keyring, encryptionContext: { tenant: 'a' } });
    await expect(decrypt(message, { keyring, encryptionContext: { tenant: 'b' } })).rejects.toMatchObject({
      code: 'ERR_CONTEXT_MISMATCH',
    });
  });

  it('needs required pairs back on decrypt, and authenticates them', async () => {
    const { message } = await encrypt(Buffer.from('secret'), {
      keyring,
      encryptionContext: { tenant: 'a', stored: 'yes' },
      requiredContextKeys: ['tenant'],
    });
    expect(inspect(message).encryptionContext).toEqual({ stored: 'yes' });
    await expect(decrypt(message, { keyring })).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    await expect(decrypt(message, { keyring, encryptionContext: { tenant: 'b' } })).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
    const ok = await decrypt(message, { keyring, encryptionContext: { tenant: 'a' } });
    expect(Buffer.from(ok.plaintext).toString()).toBe('secret');
  });

  it('fails with ERR_NO_DECRYPTABLE_KEY when the keyring holds none of the keys', async () => {
    const { message } = await encrypt(Buffer.from('x'), { keyring });
    await expect(decrypt(message, { keyring: aesTestKeyring('b') })).rejects.toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });
  });

  it('a multi-keyring message decrypts with each recipient alone', async () => {
    const a = aesTestKeyring('a');
    const b = aesTestKeyring('b');
    const { message } = await encrypt(Buffer.from('both'), {
      keyring: new MultiKeyring({ generator: a, children: [b] }),
    });
    expect(inspect(message).encryptedDataKeys).toHaveLength(2);
    for (const k of [a, b]) {
      expect(Buffer.from((await decrypt(message, { keyring: k })).plaintext).toString()).toBe('both');
    }
  });
});

describe('the header encrypt returns', () => {
  for (const suite of [
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
  ]) {
    it(`is what the parser reads back from the message (${suite.name})`, async () => {
      const keyring = new MultiKeyring({ generator: aesTestKeyring('a'), children: [aesTestKeyring('b')] });
      const { message, header } = await encrypt(Buffer.from('hello'), {
        keyring,
        suite,
        frameLength: 128,
        encryptionContext: { stored: 'yes', tenant: 'acme' },
        requiredContextKeys: ['tenant'],
      });
      const parsed = parseHeader(message);
      const bytesOf = (b: Uint8Array | undefined) => (b ? [...b] : b);
      expect({ ...header.encryptionContext }).toEqual({ ...parsed.encryptionContext });
      expect(
        header.encryptedDataKeys.map((e) => [e.providerId, bytesOf(e.providerInfo), bytesOf(e.ciphertext)]),
      ).toEqual(
        parsed.encryptedDataKeys.map((e) => [e.providerId, bytesOf(e.providerInfo), bytesOf(e.ciphertext)]),
      );
      for (const field of [
        'messageId',
        'headerIv',
        'commitment',
        'headerTag',
        'authenticatedBytes',
      ] as const) {
        expect(bytesOf(header[field]), field).toEqual(bytesOf(parsed[field]));
      }
      expect([header.version, header.suite, header.contentType, header.frameLength, header.length]).toEqual([
        parsed.version,
        parsed.suite,
        parsed.contentType,
        parsed.frameLength,
        parsed.length,
      ]);
    });
  }
});
