import { randomBytes } from 'node:crypto';
import { Suites, decrypt, encrypt, parseHeader, serializeEncryptionContext } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import {
  decryptStreamed,
  finalFrame,
  frameIv,
  regularFrame,
  taggedHeader,
  v2Keys,
  withContext,
} from './support/forge.js';
import { fixedKeyring } from './support/keyrings.js';

/**
 * Messages forged by someone who holds the data key (any recipient does): commitment, header tag
 * and frame tags are all valid, so the one structural check each test names is all that refuses them.
 */
const dataKey = randomBytes(32);
const keyring = fixedKeyring(dataKey);

/** A message's header, its key and the body after it. */
async function encrypted(plaintext: Uint8Array, options: Omit<Parameters<typeof encrypt>[1], 'keyring'>) {
  const message = Buffer.from((await encrypt(plaintext, { keyring, ...options })).message);
  const header = parseHeader(message);
  const { key } = v2Keys(header.suite.id, dataKey, header.messageId);
  // The forging is right: it reproduces the real header.
  expect(taggedHeader(key, header.authenticatedBytes).equals(message.subarray(0, header.length))).toBe(true);
  return { message, header, key, body: message.subarray(header.length) };
}

describe('a signed-suite message stripped of its verification key and signature', () => {
  const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

  async function unsigned() {
    const plaintext = Buffer.from('signed by nobody');
    const { message, header, key, body } = await encrypted(plaintext, {
      suite,
      encryptionContext: { a: 'b' },
    });
    expect(Object.keys(header.encryptionContext).sort()).toEqual(['a', 'aws-crypto-public-key']);
    // One final frame (marker, sequence number, IV, length, ciphertext, tag), then the footer.
    const bodyLength = 4 + 4 + 12 + 4 + plaintext.length + 16;
    expect(2 + body.readUInt16BE(bodyLength) + bodyLength).toBe(body.length);
    // Frame AADs name only the message id, so the frames stay authentic without the public key.
    const authenticated = withContext(header.authenticatedBytes, serializeEncryptionContext({ a: 'b' }));
    return {
      forged: Buffer.concat([taggedHeader(key, authenticated), body.subarray(0, bodyLength)]),
      message,
    };
  }

  it('is refused by decrypt as malformed', async () => {
    const { forged, message } = await unsigned();
    await expect(decrypt(message, { keyring })).resolves.toBeDefined();
    await expect(decrypt(forged, { keyring })).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('lacks its verification key'),
    });
  });

  it('is refused by decryptStream releasing before the signature, with nothing released', async () => {
    const { forged } = await unsigned();
    const { released, error } = await decryptStreamed(forged, {
      keyring,
      signedMessages: 'release-before-signature',
    });
    expect(error).toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
    expect(released.length).toBe(0);
  });
});

describe('a final frame longer than the frame length', () => {
  async function withFinalFrameOf(length: number) {
    const { header, key, body } = await encrypted(Buffer.from('short'), { frameLength: 16 });
    expect(body.readUInt32BE(0)).toBe(0xffff_ffff); // the body is one final frame, replaced here
    const plaintext = randomBytes(length);
    const forged = Buffer.concat([
      header.authenticatedBytes,
      header.headerTag,
      finalFrame(key, header.messageId, 1, plaintext),
    ]);
    return { forged, plaintext };
  }

  it('is read when it fills the frame length exactly (the forging is right)', async () => {
    const { forged, plaintext } = await withFinalFrameOf(16);
    expect(Buffer.from((await decrypt(forged, { keyring })).plaintext).equals(plaintext)).toBe(true);
  });

  it('is refused as malformed by decrypt, even though its tag is valid', async () => {
    const { forged } = await withFinalFrameOf(17);
    await expect(decrypt(forged, { keyring })).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('longer than the frame length'),
    });
  });

  it('is refused as malformed by decryptStream, with nothing released', async () => {
    const { forged } = await withFinalFrameOf(17);
    const { released, error } = await decryptStreamed(forged, { keyring });
    expect(error).toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
    expect(released.length).toBe(0);
  });
});

describe('frame order and frame IVs', () => {
  const frameLength = 16;
  /** A regular frame on the wire: sequence number, IV, 16 bytes, tag. */
  const frameSize = 4 + 12 + frameLength + 16;
  const plaintext = randomBytes(2 * frameLength + 8); // frames 1 and 2, then a final frame 3

  /** Frames 1 and 2 swapped: each still authentic, since its AAD names its own sequence number. */
  async function swapped() {
    const { header, body } = await encrypted(plaintext, { frameLength });
    const first = body.subarray(0, frameSize);
    const second = body.subarray(frameSize, 2 * frameSize);
    return Buffer.concat([
      header.authenticatedBytes,
      header.headerTag,
      second,
      first,
      body.subarray(2 * frameSize),
    ]);
  }

  it('refuses two authentic frames swapped, as out of order', async () => {
    await expect(decrypt(await swapped(), { keyring })).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('out of order'),
    });
  });

  it('refuses two authentic frames swapped in a stream, releasing nothing', async () => {
    const { released, error } = await decryptStreamed(await swapped(), { keyring });
    expect(error).toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
    expect(released.length).toBe(0);
  });

  it('refuses a frame sealed under another IV than its sequence number gives, tag valid', async () => {
    const { header, key, body } = await encrypted(plaintext, { frameLength });
    const iv = frameIv(2);
    iv[0] = 1;
    const resealed = regularFrame(
      key,
      header.messageId,
      2,
      plaintext.subarray(frameLength, 2 * frameLength),
      iv,
    );
    // Same key, same sequence number, standard IV: the real frame 2 (the forging is right).
    expect(regularFrame(key, header.messageId, 2, plaintext.subarray(frameLength, 2 * frameLength))).toEqual(
      body.subarray(frameSize, 2 * frameSize),
    );
    const forged = Buffer.concat([
      header.authenticatedBytes,
      header.headerTag,
      body.subarray(0, frameSize),
      resealed,
      body.subarray(2 * frameSize),
    ]);
    await expect(decrypt(forged, { keyring })).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('frame IV'),
    });
    const { released, error } = await decryptStreamed(forged, { keyring });
    expect(error).toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
    // At most the authentic frame 1: nothing of frame 2 or after it.
    expect(plaintext.subarray(0, frameLength).subarray(0, released.length).equals(released)).toBe(true);
  });

  it('checks the IV before decrypting: a changed IV is malformed, not a failed tag', async () => {
    const { message, header } = await encrypted(plaintext, { frameLength });
    const tampered = Buffer.from(message);
    tampered[header.length + frameSize + 4]! ^= 1; // first IV byte of frame 2
    await expect(decrypt(tampered, { keyring })).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
      message: expect.stringContaining('frame IV'),
    });
  });
});
