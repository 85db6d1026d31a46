import { parseHeader } from '../format/header.js';
import { openHeader } from './open-header.js';
import type { DecryptOptions, DecryptResult } from './options.js';

/**
 * Decrypts a whole message. Plaintext is returned only after every frame, and the signature of
 * signed suites, has been verified; on any failure, what was decrypted so far is zeroed.
 */
export async function decrypt(message: Uint8Array, options: DecryptOptions): Promise<DecryptResult> {
  const header = parseHeader(message, options);
  const opened = await openHeader(header, message, options);
  let parts: Buffer[] = [];
  try {
    parts = opened.body.push(message.subarray(header.length));
    opened.body.finish();
  } catch (error) {
    for (const part of parts) part.fill(0);
    throw error;
  }
  return {
    plaintext: parts.length === 1 ? parts[0]! : Buffer.concat(parts),
    header,
    encryptionContext: opened.encryptionContext,
    encryptedDataKey: opened.encryptedDataKey,
  };
}
