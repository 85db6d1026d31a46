import { status } from '@grpc/grpc-js';
import { crc32c } from '@node-rs/crc32';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GcpHarness, startGcpHarness, statusOf } from './gcp-harness.js';

let h: GcpHarness;
let key: string;
beforeAll(async () => {
  h = await startGcpHarness();
  key = await h.cryptoKey();
});
afterAll(async () => h?.close());

const noRetry = { retry: null };
const crc = (data: Uint8Array) => ({ value: String(crc32c(data)) });
const text = (data: Uint8Array | string | null | undefined) => Buffer.from(data as Uint8Array).toString();

describe('Encrypt and Decrypt', () => {
  test('round-trips with AAD and names the version it used', async () => {
    const aad = Buffer.from('context');
    const [enc] = await h.client.encrypt({
      name: key,
      plaintext: Buffer.from('secret'),
      additionalAuthenticatedData: aad,
    });
    expect(enc.name).toBe(`${key}/cryptoKeyVersions/1`);
    expect(enc.protectionLevel).toBe('SOFTWARE');
    const [dec] = await h.client.decrypt({
      name: key,
      ciphertext: enc.ciphertext,
      additionalAuthenticatedData: aad,
    });
    expect(text(dec.plaintext)).toBe('secret');
    expect(dec.usedPrimary).toBe(true);
  });

  test('produces a fresh ciphertext for each call', async () => {
    const [a] = await h.client.encrypt({ name: key, plaintext: Buffer.from('same') });
    const [b] = await h.client.encrypt({ name: key, plaintext: Buffer.from('same') });
    expect(Buffer.from(a.ciphertext as Uint8Array).equals(Buffer.from(b.ciphertext as Uint8Array))).toBe(
      false,
    );
    expect(text(a.ciphertext)).not.toContain('same');
  });

  test('binds the AAD: a different or missing AAD is INVALID_ARGUMENT', async () => {
    const [enc] = await h.client.encrypt({
      name: key,
      plaintext: Buffer.from('x'),
      additionalAuthenticatedData: Buffer.from('a'),
    });
    for (const additionalAuthenticatedData of [Buffer.from('b'), Buffer.alloc(0)]) {
      const error = await statusOf(
        h.client.decrypt({ name: key, ciphertext: enc.ciphertext, additionalAuthenticatedData }, noRetry),
      );
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toBe('Decryption failed: the ciphertext is invalid.');
    }
  });

  test('rejects a tampered ciphertext and random bytes as invalid', async () => {
    const [enc] = await h.client.encrypt({ name: key, plaintext: Buffer.from('x') });
    const tampered = Buffer.from(enc.ciphertext as Uint8Array);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    for (const ciphertext of [tampered, Buffer.from('not a ciphertext at all, not even close to one!!!!')]) {
      const error = await statusOf(h.client.decrypt({ name: key, ciphertext }, noRetry));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toBe('Decryption failed: the ciphertext is invalid.');
    }
  });

  test("says 'name' is wrong when the ciphertext belongs to another key", async () => {
    const other = await h.cryptoKey();
    const [enc] = await h.client.encrypt({ name: other, plaintext: Buffer.from('x') });
    const error = await statusOf(h.client.decrypt({ name: key, ciphertext: enc.ciphertext }, noRetry));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe("Decryption failed: verify that 'name' refers to the correct CryptoKey.");
  });

  test('encrypts with an explicit version and decrypts it after the primary moved', async () => {
    const k = await h.cryptoKey();
    await h.client.createCryptoKeyVersion({ parent: k, cryptoKeyVersion: {} });
    const [old] = await h.client.encrypt({ name: `${k}/cryptoKeyVersions/1`, plaintext: Buffer.from('v1') });
    expect(old.name).toBe(`${k}/cryptoKeyVersions/1`);
    await h.client.updateCryptoKeyPrimaryVersion({ name: k, cryptoKeyVersionId: '2' });
    const [fresh] = await h.client.encrypt({ name: k, plaintext: Buffer.from('v2') });
    expect(fresh.name).toBe(`${k}/cryptoKeyVersions/2`);
    const [dec] = await h.client.decrypt({ name: k, ciphertext: old.ciphertext });
    expect(text(dec.plaintext)).toBe('v1');
    expect(dec.usedPrimary).toBe(false);
  });

  test('refuses to encrypt with a disabled primary or version, and to decrypt data of a disabled version', async () => {
    const k = await h.cryptoKey();
    const version = `${k}/cryptoKeyVersions/1`;
    const [enc] = await h.client.encrypt({ name: k, plaintext: Buffer.from('x') });
    await h.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: version, state: 'DISABLED' },
      updateMask: { paths: ['state'] },
    });
    for (const call of [
      h.client.encrypt({ name: k, plaintext: Buffer.from('x') }, noRetry),
      h.client.encrypt({ name: version, plaintext: Buffer.from('x') }, noRetry),
      h.client.decrypt({ name: k, ciphertext: enc.ciphertext }, noRetry),
    ]) {
      const error = await statusOf(call);
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(error.details).toBe(`${version} is not enabled, current state is: DISABLED.`);
    }
  });

  test('answers NOT_FOUND for a missing key or version', async () => {
    const encrypt = h.client.encrypt({ name: `${key}-missing`, plaintext: Buffer.from('x') }, noRetry);
    expect((await statusOf(encrypt)).code).toBe(status.NOT_FOUND);
    const version = h.client.encrypt(
      { name: `${key}/cryptoKeyVersions/42`, plaintext: Buffer.from('x') },
      noRetry,
    );
    expect((await statusOf(version)).code).toBe(status.NOT_FOUND);
    const decrypt = h.client.decrypt({ name: `${key}-missing`, ciphertext: Buffer.from('x') }, noRetry);
    expect((await statusOf(decrypt)).code).toBe(status.NOT_FOUND);
  });

  test('rejects Decrypt with a version name and Encrypt with a key ring name', async () => {
    const decrypt = h.client.decrypt(
      { name: `${key}/cryptoKeyVersions/1`, ciphertext: Buffer.from('x') },
      noRetry,
    );
    expect((await statusOf(decrypt)).code).toBe(status.INVALID_ARGUMENT);
    const ring = key.split('/cryptoKeys/')[0] as string;
    const encrypt = h.client.encrypt({ name: ring, plaintext: Buffer.from('x') }, noRetry);
    expect((await statusOf(encrypt)).code).toBe(status.INVALID_ARGUMENT);
  });

  test('accepts 64 KiB of plaintext and AAD, and rejects one byte more of either', async () => {
    const max = Buffer.alloc(64 * 1024, 7);
    const [enc] = await h.client.encrypt({ name: key, plaintext: max, additionalAuthenticatedData: max });
    const [dec] = await h.client.decrypt({
      name: key,
      ciphertext: enc.ciphertext,
      additionalAuthenticatedData: max,
    });
    expect(Buffer.from(dec.plaintext as Uint8Array).equals(max)).toBe(true);
    const over = Buffer.alloc(64 * 1024 + 1);
    for (const request of [
      { name: key, plaintext: over },
      { name: key, plaintext: Buffer.from('x'), additionalAuthenticatedData: over },
    ]) {
      expect((await statusOf(h.client.encrypt(request, noRetry))).code).toBe(status.INVALID_ARGUMENT);
    }
  });

  test('limits plaintext and AAD together to 8 KiB for HSM keys', async () => {
    const parent = await h.keyRing();
    const [hsm] = await h.client.createCryptoKey({
      parent,
      cryptoKeyId: 'hsm',
      cryptoKey: { purpose: 'ENCRYPT_DECRYPT', versionTemplate: { protectionLevel: 'HSM' } },
    });
    const half = Buffer.alloc(4 * 1024);
    const [enc] = await h.client.encrypt({
      name: hsm.name as string,
      plaintext: half,
      additionalAuthenticatedData: half,
    });
    expect(enc.protectionLevel).toBe('HSM');
    const over = h.client.encrypt(
      { name: hsm.name as string, plaintext: half, additionalAuthenticatedData: Buffer.alloc(4 * 1024 + 1) },
      noRetry,
    );
    expect((await statusOf(over)).code).toBe(status.INVALID_ARGUMENT);
  });

  test('rejects an empty ciphertext', async () => {
    const error = await statusOf(h.client.decrypt({ name: key, ciphertext: Buffer.alloc(0) }, noRetry));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('CRC32C', () => {
  test('fills correct checksums in both responses and verifies request checksums that match', async () => {
    const plaintext = Buffer.from('checked');
    const aad = Buffer.from('aad');
    const [enc] = await h.client.encrypt({
      name: key,
      plaintext,
      additionalAuthenticatedData: aad,
      plaintextCrc32c: crc(plaintext),
      additionalAuthenticatedDataCrc32c: crc(aad),
    });
    expect(enc.verifiedPlaintextCrc32c).toBe(true);
    expect(enc.verifiedAdditionalAuthenticatedDataCrc32c).toBe(true);
    expect(enc.ciphertextCrc32c?.value).toBe(String(crc32c(enc.ciphertext as Uint8Array)));
    const [dec] = await h.client.decrypt({
      name: key,
      ciphertext: enc.ciphertext,
      additionalAuthenticatedData: aad,
      ciphertextCrc32c: crc(enc.ciphertext as Uint8Array),
      additionalAuthenticatedDataCrc32c: crc(aad),
    });
    expect(dec.plaintextCrc32c?.value).toBe(String(crc32c(plaintext)));
  });

  test('reports verified_* false when the request carried no checksum', async () => {
    const [enc] = await h.client.encrypt({
      name: key,
      plaintext: Buffer.from('x'),
      additionalAuthenticatedData: Buffer.from('y'),
    });
    expect(enc.verifiedPlaintextCrc32c).toBe(false);
    expect(enc.verifiedAdditionalAuthenticatedDataCrc32c).toBe(false);
  });

  test('verifies the checksum of an empty AAD (CRC32C of nothing is 0)', async () => {
    const [enc] = await h.client.encrypt({
      name: key,
      plaintext: Buffer.from('x'),
      additionalAuthenticatedDataCrc32c: { value: '0' },
    });
    expect(enc.verifiedAdditionalAuthenticatedDataCrc32c).toBe(true);
  });

  test('uses the Castagnoli polynomial (check value of "123456789" is 0xE3069283)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  test('rejects every mismatched request checksum with INVALID_ARGUMENT', async () => {
    const plaintext = Buffer.from('p');
    const aad = Buffer.from('a');
    const wrong = (data: Uint8Array) => ({ value: String((crc32c(data) + 1) >>> 0) });
    const [enc] = await h.client.encrypt({ name: key, plaintext, additionalAuthenticatedData: aad });
    const calls = [
      h.client.encrypt({ name: key, plaintext, plaintextCrc32c: wrong(plaintext) }, noRetry),
      h.client.encrypt(
        {
          name: key,
          plaintext,
          additionalAuthenticatedData: aad,
          additionalAuthenticatedDataCrc32c: wrong(aad),
        },
        noRetry,
      ),
      h.client.decrypt(
        {
          name: key,
          ciphertext: enc.ciphertext,
          additionalAuthenticatedData: aad,
          ciphertextCrc32c: wrong(enc.ciphertext as Uint8Array),
        },
        noRetry,
      ),
      h.client.decrypt(
        {
          name: key,
          ciphertext: enc.ciphertext,
          additionalAuthenticatedData: aad,
          additionalAuthenticatedDataCrc32c: wrong(aad),
        },
        noRetry,
      ),
    ];
    for (const call of calls) {
      const error = await statusOf(call);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/checksum in field \w+_crc32c did not match/);
    }
  });
});
