import { type KeyObject, createCipheriv, createDecipheriv } from 'node:crypto';
import { DecryptionFailedError } from '../errors.js';
import type { AlgorithmSuite } from '../suites.js';

/**
 * The header tag: AES-GCM over an empty plaintext with the header as AAD, followed by the
 * serialization of the required (unstored) context pairs (zero bytes when there are none).
 */
export function computeHeaderTag(
  suite: AlgorithmSuite,
  key: KeyObject,
  iv: Uint8Array,
  header: Uint8Array,
  requiredContext: Uint8Array,
): Buffer {
  const cipher = createCipheriv(suite.cipher, key, iv, { authTagLength: suite.tagLength });
  cipher.setAAD(requiredContext.length ? Buffer.concat([header, requiredContext]) : header);
  cipher.final();
  return cipher.getAuthTag();
}

export function verifyHeaderTag(
  suite: AlgorithmSuite,
  key: KeyObject,
  iv: Uint8Array,
  header: Uint8Array,
  requiredContext: Uint8Array,
  tag: Uint8Array,
): void {
  const decipher = createDecipheriv(suite.cipher, key, iv, { authTagLength: suite.tagLength });
  decipher.setAAD(requiredContext.length ? Buffer.concat([header, requiredContext]) : header);
  decipher.setAuthTag(tag);
  try {
    decipher.final();
  } catch {
    throw new DecryptionFailedError();
  }
}
