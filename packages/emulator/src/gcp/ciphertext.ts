import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The emulator's ciphertext: it names the CryptoKey (by a random id, so that a ciphertext of
 * another key is told apart from a damaged one) and the version, because Decrypt is called with
 * the CryptoKey name only and the server must find the version itself.
 *
 *   magic 'p' (1) ‖ format 1 (1) ‖ key uid (16) ‖ version id u32 BE (4) ‖ IV (12) ‖ AES-256-GCM ‖ tag (16)
 *
 * The GCM AAD is the 22-byte header followed by the caller's AAD, so neither can be swapped.
 */
const MAGIC = 0x70;
const FORMAT = 1;
export const KEY_UID_LENGTH = 16;
const HEADER_LENGTH = 2 + KEY_UID_LENGTH + 4;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
export const CIPHERTEXT_OVERHEAD = HEADER_LENGTH + IV_LENGTH + TAG_LENGTH;

export interface CiphertextHeader {
  readonly keyUid: Buffer;
  readonly versionId: number;
}

export function sealCiphertext(
  key: Buffer,
  header: CiphertextHeader,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  const head = Buffer.alloc(HEADER_LENGTH);
  head[0] = MAGIC;
  head[1] = FORMAT;
  header.keyUid.copy(head, 2);
  head.writeUInt32BE(header.versionId, 2 + KEY_UID_LENGTH);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.concat([head, aad]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, iv, body, cipher.getAuthTag()]);
}

/** Reads the header; undefined when the bytes are not one of our ciphertexts. */
export function readCiphertextHeader(ciphertext: Uint8Array): CiphertextHeader | undefined {
  if (ciphertext.length < CIPHERTEXT_OVERHEAD) return undefined;
  const bytes = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  if (bytes[0] !== MAGIC || bytes[1] !== FORMAT) return undefined;
  return {
    keyUid: Buffer.from(bytes.subarray(2, 2 + KEY_UID_LENGTH)),
    versionId: bytes.readUInt32BE(2 + KEY_UID_LENGTH),
  };
}

/** Opens a ciphertext whose header was read already; undefined when authentication fails. */
export function openCiphertext(key: Buffer, ciphertext: Uint8Array, aad: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  const head = bytes.subarray(0, HEADER_LENGTH);
  const iv = bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH);
  const body = bytes.subarray(HEADER_LENGTH + IV_LENGTH, bytes.length - TAG_LENGTH);
  const tag = bytes.subarray(bytes.length - TAG_LENGTH);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(Buffer.concat([head, aad]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}
