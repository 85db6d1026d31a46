import { decrypt, encrypt, isPolykmsError, MultiKeyring, Suites } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import {
  KeysetKeyring,
  createKeyset,
  inspectKeyset,
  openKeyset,
  retireKeysetVersion,
  rewrapKeyset,
  rotateKeyset,
} from '../src/index.js';
import { contentOf } from '../src/keyset.js';
import { aesKeyring, countingKeyring } from './support.js';

const plaintext = Buffer.from('records under a keyset');
const context = { tenant: 'acme' };

async function encryptUnder(keysetBytes: Uint8Array, unlock = aesKeyring('unused')) {
  const keyset = await openKeyset(keysetBytes, { keyring: unlock });
  try {
    return (await encrypt(plaintext, { keyring: new KeysetKeyring(keyset), encryptionContext: context }))
      .message;
  } finally {
    keyset.close();
  }
}

async function decryptUnder(keysetBytes: Uint8Array, message: Uint8Array, unlock: RawAesKeyringLike) {
  const keyset = await openKeyset(keysetBytes, { keyring: unlock });
  try {
    return await decrypt(message, { keyring: new KeysetKeyring(keyset), encryptionContext: context });
  } finally {
    keyset.close();
  }
}
type RawAesKeyringLike = ReturnType<typeof aesKeyring>;

describe('keysets', () => {
  it('creates generation 1 with one primary version, readable only through its recipient', async () => {
    const kek = aesKeyring('kek');
    const bytes = await createKeyset({ keyring: kek });
    const keyset = await openKeyset(bytes, { keyring: kek });
    expect(keyset.generation).toBe(1);
    expect(keyset.versions.map((v) => [v.version, v.state])).toEqual([[1, 'primary']]);
    expect(keyset.keysetId).toMatch(/^[0-9a-f]{32}$/);
    expect(inspectKeyset(bytes)).toMatchObject({ keysetId: keyset.keysetId, generation: 1 });
    keyset.close();
  });

  it('opens with exactly one unwrap of the recipient keyring (one KMS call for a cloud key)', async () => {
    const kek = aesKeyring('kek');
    const bytes = await createKeyset({ keyring: kek });
    const counted = countingKeyring(kek);
    const keyset = await openKeyset(bytes, { keyring: counted });
    expect(counted.unwraps()).toBe(1);
    const message = (await encrypt(plaintext, { keyring: new KeysetKeyring(keyset) })).message;
    await decrypt(message, { keyring: new KeysetKeyring(keyset) });
    expect(counted.unwraps()).toBe(1);
    keyset.close();
  });

  it('keeps old messages decrypting across rotate and rewrap, and wraps new ones under the new primary', async () => {
    const aws = aesKeyring('aws');
    const gcp = aesKeyring('gcp');
    const azure = aesKeyring('azure');
    const g1 = await createKeyset({ keyring: new MultiKeyring({ generator: aws, children: [gcp] }) });
    const before = await encryptUnder(g1, aws);

    const g2 = await rotateKeyset(g1, {
      unlock: gcp,
      keyring: new MultiKeyring({ generator: aws, children: [gcp] }),
    });
    const afterRotate = await encryptUnder(g2, aws);
    const g3 = await rewrapKeyset(g2, { unlock: gcp, keyring: azure });
    const afterRewrap = await encryptUnder(g3, azure);

    for (const message of [before, afterRotate, afterRewrap]) {
      expect(Buffer.from((await decryptUnder(g3, message, azure)).plaintext)).toEqual(plaintext);
    }
    const opened = await openKeyset(g3, { keyring: azure });
    expect(opened.generation).toBe(3);
    expect(opened.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'active'],
      [2, 'primary'],
    ]);
    opened.close();
    // The primary wraps: the EDK of a message written after the rotation names version 2.
    const { encryptedDataKey } = await decryptUnder(g3, afterRotate, azure);
    expect(Buffer.from(encryptedDataKey.providerInfo).readUInt32BE(17)).toBe(2);
    expect(
      Buffer.from((await decryptUnder(g3, before, azure)).encryptedDataKey.providerInfo).readUInt32BE(17),
    ).toBe(1);

    // The rewrap dropped AWS and GCP: the new generation does not open with them.
    await expect(openKeyset(g3, { keyring: aws })).rejects.toMatchObject({ code: 'ERR_NO_DECRYPTABLE_KEY' });
    // The previous generation still does: a rewrap cannot reach old copies (see the README).
    (await openKeyset(g2, { keyring: aws })).close();
  });

  it('refuses an older generation that lacks the version a message was wrapped under', async () => {
    const kek = aesKeyring('kek');
    const g1 = await createKeyset({ keyring: kek });
    const g2 = await rotateKeyset(g1, { unlock: kek });
    const message = await encryptUnder(g2, kek);
    const error = await decryptUnder(g1, message, kek).catch((e: unknown) => e);
    expect(isPolykmsError(error, 'ERR_NO_DECRYPTABLE_KEY')).toBe(true);
    expect((error as { failures: { error: { code: string } }[] }).failures[0]?.error.code).toBe(
      'ERR_KEY_VERSION_NOT_FOUND',
    );
  });

  it('retires a version that still decrypts what it wrapped, and refuses to retire the primary', async () => {
    const kek = aesKeyring('kek');
    const g1 = await createKeyset({ keyring: kek });
    const old = await encryptUnder(g1, kek);
    const g2 = await rotateKeyset(g1, { unlock: kek });
    await expect(retireKeysetVersion(g2, 2, { unlock: kek })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(retireKeysetVersion(g2, 9, { unlock: kek })).rejects.toMatchObject({
      code: 'ERR_KEY_VERSION_NOT_FOUND',
    });
    const g3 = await retireKeysetVersion(g2, 1, { unlock: kek });
    expect(inspectKeyset(g3).versions).toEqual([
      { version: 1, state: 'retired' },
      { version: 2, state: 'primary' },
    ]);
    expect(Buffer.from((await decryptUnder(g3, old, kek)).plaintext)).toEqual(plaintext);
  });

  it('writes every generation as a fresh message: new message id, generation one higher', async () => {
    const kek = aesKeyring('kek');
    const g1 = await createKeyset({ keyring: kek });
    const g2 = await rewrapKeyset(g1, { unlock: kek, keyring: kek });
    const [a, b] = [inspectKeyset(g1), inspectKeyset(g2)];
    expect(b.keysetId).toBe(a.keysetId);
    expect(b.generation).toBe(a.generation + 1);
    expect(b.messageId).not.toBe(a.messageId);
  });

  it('throws ERR_KEYSET_CLOSED from the keyring once the keyset is closed', async () => {
    const kek = aesKeyring('kek');
    const keyset = await openKeyset(await createKeyset({ keyring: kek }), { keyring: kek });
    const keyring = new KeysetKeyring(keyset);
    const message = (await encrypt(plaintext, { keyring })).message;
    keyset.close();
    expect(keyset.closed).toBe(true);
    await expect(encrypt(plaintext, { keyring })).rejects.toMatchObject({ code: 'ERR_KEYSET_CLOSED' });
    await expect(decrypt(message, { keyring })).rejects.toMatchObject({ code: 'ERR_KEYSET_CLOSED' });
  });

  it('zeroes every version key on close()', async () => {
    const kek = aesKeyring('kek');
    const g2 = await rotateKeyset(await createKeyset({ keyring: kek }), { unlock: kek });
    const keyset = await openKeyset(g2, { keyring: kek });
    const keys = contentOf(keyset).versions.map((v) => v.key);
    expect(keys.length).toBe(2);
    expect(keys.every((k) => k.some((byte) => byte !== 0))).toBe(true); // control
    keyset.close();
    expect(keys.every((k) => k.every((byte) => byte === 0))).toBe(true);
  });

  it('returns null for EDKs of another keyset, so a multi-keyring goes on to the next child', async () => {
    const kek = aesKeyring('kek');
    const mine = await openKeyset(await createKeyset({ keyring: kek }), { keyring: kek });
    const other = await openKeyset(await createKeyset({ keyring: kek }), { keyring: kek });
    const message = (await encrypt(plaintext, { keyring: new KeysetKeyring(other) })).message;
    const multi = new MultiKeyring({
      generator: new KeysetKeyring(mine),
      children: [new KeysetKeyring(other)],
    });
    expect(Buffer.from((await decrypt(message, { keyring: multi })).plaintext)).toEqual(plaintext);
    await expect(decrypt(message, { keyring: new KeysetKeyring(mine) })).rejects.toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });
    mine.close();
    other.close();
  });

  it('binds each EDK to its keyset id, its version and the whole context, required (unstored) pairs included', async () => {
    const kek = aesKeyring('kek');
    const g2 = await rotateKeyset(await createKeyset({ keyring: kek }), { unlock: kek });
    const mine = await openKeyset(g2, { keyring: kek });
    const other = await openKeyset(await createKeyset({ keyring: kek }), { keyring: kek });
    const keyring = new KeysetKeyring(mine);
    const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    const full = { tenant: 'acme', 'row-id': '42' };
    const wrapped = await keyring.wrap({ suite, encryptionContext: full });
    const [edk] = wrapped.encryptedDataKeys;
    if (!edk || !wrapped.dataKey) throw new Error('no EDK');
    const unwrap = (e: typeof edk, encryptionContext: Record<string, string>, by = keyring) =>
      by.unwrap({ suite, encryptionContext, encryptedDataKeys: [e] });

    expect(Buffer.from((await unwrap(edk, full))?.dataKey ?? [])).toEqual(Buffer.from(wrapped.dataKey)); // control
    await expect(unwrap(edk, { tenant: 'acme' })).rejects.toMatchObject({ code: 'ERR_NO_DECRYPTABLE_KEY' });
    const asVersion1 = Buffer.from(edk.providerInfo);
    asVersion1.writeUInt32BE(1, 17);
    await expect(unwrap({ ...edk, providerInfo: asVersion1 }, full)).rejects.toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });
    const asOther = Buffer.from(edk.providerInfo);
    Buffer.from(other.keysetId, 'hex').copy(asOther, 0);
    await expect(
      unwrap({ ...edk, providerInfo: asOther }, full, new KeysetKeyring(other)),
    ).rejects.toMatchObject({ code: 'ERR_NO_DECRYPTABLE_KEY' });

    // Through the envelope: a pair kept out of the header is still bound by the keyset EDK.
    const { message } = await encrypt(plaintext, {
      keyring,
      encryptionContext: full,
      requiredContextKeys: ['row-id'],
    });
    const opened = await decrypt(message, { keyring, encryptionContext: { 'row-id': '42' } });
    expect(Buffer.from(opened.plaintext)).toEqual(plaintext);
    await expect(decrypt(message, { keyring, encryptionContext: { 'row-id': '43' } })).rejects.toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });
    mine.close();
    other.close();
  });
});
