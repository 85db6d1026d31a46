import { describe, expect, it } from 'vitest';
import {
  type Keyring,
  type MessageHeader,
  decrypt,
  encrypt,
  parseHeader,
  rewrap,
  serializeEncryptionContext,
} from '@polykms/envelope';
import { blockOf, encryptBlock, ghashOfAad, hashSubkey, toBlock } from './support/ghash.js';
import { v2Keys, withContext } from './support/forge.js';
import { bytes, testKeyring } from './stream-test-keyring.js';

// An attacker holds two versions of one message (the original and its rewrap: a versioned
// bucket, a backup) and no key. Each header tag is GHASH_H(header) xor E_K(J0). When both headers
// were tagged under the same key K and the same all-zero nonce, tag1 xor tag2 = GHASH_H(h1) xor
// GHASH_H(h2): a polynomial in H the attacker knows entirely and solves for H; then E_K(J0)
// follows, and any header can be tagged. The test derives H from the data key (to skip the root
// finding) and shows both the relation and the forgery it enables.

const TAG_LENGTH = 16;

/** The data key of `message`, opened by `keyring` from the EDKs: what only a recipient can do. */
async function dataKeyOf(message: Uint8Array, keyring: Keyring): Promise<Uint8Array> {
  const header = parseHeader(message);
  const opened = await keyring.unwrap({
    suite: header.suite,
    encryptionContext: header.encryptionContext,
    encryptedDataKeys: header.encryptedDataKeys,
  });
  return opened!.dataKey;
}

interface TaggedHeader {
  readonly header: MessageHeader;
  /** What the header tag authenticates (no required pairs in these messages). */
  readonly aad: Buffer;
  readonly tag: bigint;
}

function taggedHeaderOf(message: Uint8Array): TaggedHeader {
  const header = parseHeader(message);
  const bytesOfHeader = Buffer.from(message.subarray(0, header.length));
  return {
    header,
    aad: bytesOfHeader.subarray(0, header.length - TAG_LENGTH),
    tag: blockOf(bytesOfHeader.subarray(header.length - TAG_LENGTH)),
  };
}

async function headerKeyOf(message: Uint8Array, keyring: Keyring): Promise<Buffer> {
  const { header } = taggedHeaderOf(message);
  return v2Keys(header.suite.id, await dataKeyOf(message, keyring), header.messageId).key;
}

/** The relation the attacker solves for H: holds only when both tags share (key, nonce). */
function tagsShareKeyAndNonce(a: TaggedHeader, b: TaggedHeader, h: bigint): boolean {
  return (a.tag ^ b.tag) === (ghashOfAad(h, a.aad) ^ ghashOfAad(h, b.aad));
}

/** With H known, E_K(J0) = tag xor GHASH_H(header): a tag for a header with another context. */
function forgeContext(version: TaggedHeader, h: bigint, message: Uint8Array): Buffer {
  const mask = version.tag ^ ghashOfAad(h, version.aad);
  const forgedAad = withContext(version.aad, serializeEncryptionContext({ tenant: 'mallory' }));
  const forgedTag = toBlock(ghashOfAad(h, forgedAad) ^ mask);
  return Buffer.concat([forgedAad, forgedTag, message.subarray(version.header.length)]);
}

describe('two versions of one message', () => {
  const aws = testKeyring('attack-aws');
  const gcp = testKeyring('attack-gcp');
  const plaintext = bytes(3000);

  async function original(): Promise<Uint8Array> {
    return (
      await encrypt(plaintext, { keyring: aws, encryptionContext: { tenant: 'alice' }, frameLength: 1024 })
    ).message;
  }

  it('the GHASH helper reproduces a real header tag (so the relations below mean something)', async () => {
    const message = await original();
    const version = taggedHeaderOf(message);
    const key = await headerKeyOf(message, aws);
    // J0 for a 96-bit IV of zeros: IV ‖ 0^31 ‖ 1.
    const mask = encryptBlock(key, Buffer.concat([Buffer.alloc(12), Buffer.from([0, 0, 0, 1])]));
    expect(ghashOfAad(hashSubkey(key), version.aad) ^ mask).toBe(version.tag);
  });

  it('header-only rewrap: both tags share key and nonce, and a forged context decrypts (the attack works)', async () => {
    const before = await original();
    const { message: after } = await rewrap(before, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      method: 'header-only',
      retireOriginal: true,
    });
    const [v1, v2] = [taggedHeaderOf(before), taggedHeaderOf(after)];
    expect(Buffer.from(v1.header.messageId).equals(Buffer.from(v2.header.messageId))).toBe(true);
    const key = await headerKeyOf(before, aws);
    expect(key.equals(await headerKeyOf(after, gcp))).toBe(true);
    const h = hashSubkey(key);
    expect(tagsShareKeyAndNonce(v1, v2, h)).toBe(true);

    const forged = forgeContext(v2, h, after);
    const opened = await decrypt(forged, { keyring: gcp });
    expect(opened.encryptionContext).toEqual({ tenant: 'mallory' });
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  });

  it('re-encrypting rewrap (the default): new message id, new header key, no shared relation, no forgery', async () => {
    const before = await original();
    const { message: after } = await rewrap(before, { decryptKeyring: aws, keyring: gcp, mode: 'replace' });
    const [v1, v2] = [taggedHeaderOf(before), taggedHeaderOf(after)];
    expect(Buffer.from(v1.header.messageId).equals(Buffer.from(v2.header.messageId))).toBe(false);
    const key1 = await headerKeyOf(before, aws);
    const key2 = await headerKeyOf(after, gcp);
    expect(key1.equals(key2)).toBe(false);
    expect(Buffer.from(await dataKeyOf(before, aws)).equals(Buffer.from(await dataKeyOf(after, gcp)))).toBe(
      false,
    );
    for (const h of [hashSubkey(key1), hashSubkey(key2)]) {
      expect(tagsShareKeyAndNonce(v1, v2, h)).toBe(false);
    }
    // The same forgery, given every advantage (the real H of the original), fails on the new copy.
    await expect(decrypt(forgeContext(v2, hashSubkey(key1), after), { keyring: gcp })).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
  });

  it('two re-encryptions of the same original share no message id and no header key either', async () => {
    const before = await original();
    const options = { decryptKeyring: aws, keyring: gcp, mode: 'replace' } as const;
    const [a, b] = await Promise.all([rewrap(before, options), rewrap(before, options)]);
    const [va, vb] = [taggedHeaderOf(a.message), taggedHeaderOf(b.message)];
    expect(Buffer.from(va.header.messageId).equals(Buffer.from(vb.header.messageId))).toBe(false);
    const [ka, kb] = [await headerKeyOf(a.message, gcp), await headerKeyOf(b.message, gcp)];
    expect(ka.equals(kb)).toBe(false);
    expect(tagsShareKeyAndNonce(va, vb, hashSubkey(ka))).toBe(false);
  });
});
