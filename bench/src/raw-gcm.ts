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

/**
 * The same cipher, its output written chunk by chunk into `out`, memory already mapped (reused
 * from run to run): what AES-GCM costs without faulting in a fresh result buffer. Each chunk's
 * output buffer is small and reused by the allocator, like a frame's.
 */
export function rawEncryptInto(plaintext: Uint8Array, out: Uint8Array, chunk = 64 * 1024): Buffer {
  const cipher = createCipheriv('aes-256-gcm', RAW_KEY, IV);
  for (let offset = 0; offset < plaintext.length; offset += chunk) {
    out.set(cipher.update(plaintext.subarray(offset, offset + chunk)), offset);
  }
  cipher.final();
  return cipher.getAuthTag();
}
