import { createCipheriv, randomBytes } from 'node:crypto';
import { u16, u32, u64 } from './wire.js';

/**
 * Builds legacy v1 non-framed messages, which polykms reads but never writes, straight from the
 * format description: suite 0x0078 (AES-256-GCM, no KDF, so the message key is the data key), an
 * empty encryption context and one EDK: by default the one `fixedKeyring(dataKey)` opens.
 */

const SUITE_0078 = 0x0078;
const SINGLE_BLOCK_LABEL = Buffer.from('AWSKMSEncryptionClient Single Block');
/** Body IV of a non-framed message: 8 zero bytes ‖ u32 sequence number 1. */
const BODY_IV = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

function gcm(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): [Buffer, Buffer] {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [ciphertext, cipher.getAuthTag()];
}

export interface RawEdk {
  readonly providerId: string;
  readonly providerInfo: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** The EDK `fixedKeyring` (test/support/keyrings.ts) recognises. */
const FIXED_KEYRING_EDK: RawEdk = {
  providerId: 'fixed',
  providerInfo: new Uint8Array([0]),
  ciphertext: new Uint8Array([1]),
};

function u16Prefixed(bytes: Uint8Array): Buffer {
  return Buffer.concat([u16(bytes.length), bytes]);
}

export interface V1Header {
  readonly bytes: Buffer;
  readonly messageId: Buffer;
}

/** A v1 header (content type non-framed, frame length 0, empty context) with a valid header tag. */
export function v1NonFramedHeader(dataKey: Uint8Array, edk: RawEdk = FIXED_KEYRING_EDK): V1Header {
  const messageId = randomBytes(16);
  const fields = Buffer.concat([
    Buffer.from([0x01, 0x80]),
    u16(SUITE_0078),
    messageId,
    u16(0), // no encryption context
    u16(1), // one EDK
    u16Prefixed(Buffer.from(edk.providerId)),
    u16Prefixed(edk.providerInfo),
    u16Prefixed(edk.ciphertext),
    Buffer.from([0x01]), // non-framed
    u32(0), // reserved
    Buffer.from([12]), // IV length
    u32(0), // frame length: 0 when non-framed
  ]);
  const headerIv = Buffer.alloc(12);
  const [, tag] = gcm(dataKey, headerIv, fields, Buffer.alloc(0));
  return { bytes: Buffer.concat([fields, headerIv, tag]), messageId };
}

/** IV ‖ u64 content length: what a reader sees of a non-framed body before its ciphertext. */
export function singleBlockPrefix(contentLength: number): Buffer {
  return Buffer.concat([BODY_IV, u64(contentLength)]);
}

/** A whole non-framed body: prefix, ciphertext, tag. */
export function singleBlockBody(dataKey: Uint8Array, messageId: Uint8Array, plaintext: Uint8Array): Buffer {
  const aad = Buffer.concat([messageId, SINGLE_BLOCK_LABEL, u32(1), u64(plaintext.length)]);
  const [ciphertext, tag] = gcm(dataKey, BODY_IV, aad, plaintext);
  return Buffer.concat([singleBlockPrefix(plaintext.length), ciphertext, tag]);
}

/** A complete, authentic v1 non-framed message holding `plaintext`. */
export function v1NonFramedMessage(dataKey: Uint8Array, plaintext: Uint8Array, edk?: RawEdk): Buffer {
  const header = v1NonFramedHeader(dataKey, edk);
  return Buffer.concat([header.bytes, singleBlockBody(dataKey, header.messageId, plaintext)]);
}
