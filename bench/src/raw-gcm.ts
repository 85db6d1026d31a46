import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';

/**
 * The ceiling: AES-256-GCM driven as fast as node:crypto allows: one KeyObject, one cipher, one
 * update over the whole buffer (or the largest chunks a stream offers). No framing, no KDF.
 */
export const RAW_KEY: KeyObject = createSecretKey(randomBytes(32));
const IV = randomBytes(12);

export function rawEncrypt(plaintext: Uint8Array): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', RAW_KEY, IV);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

export function rawDecrypt(ciphertext: Uint8Array, tag: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', RAW_KEY, IV);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  decipher.final();
  return plaintext;
}
