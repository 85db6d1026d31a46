import type { EncryptOptions, EncryptPartsResult } from './options.js';
import { prepareEncryption } from './prepare-encryption.js';
import { sealBody } from './seal-body.js';

/**
 * `encrypt` without joining the message into one buffer: the header and every frame's pieces as
 * they were produced, in order, for `writev`, a multipart upload or a socket. Their concatenation
 * is exactly the message `encrypt` would return.
 */
export async function encryptParts(
  plaintext: Uint8Array,
  options: EncryptOptions,
): Promise<EncryptPartsResult> {
  const prepared = await prepareEncryption(options, plaintext.length);
  const parts: Uint8Array[] = [prepared.headerBytes];
  let length = prepared.headerBytes.length;
  sealBody(prepared.body, prepared.header.frameLength, plaintext, {
    copies: false, // the parts are the result
    append(produced) {
      for (const part of produced) {
        parts.push(part);
        length += part.length;
      }
    },
  });
  return { parts, length, header: prepared.header, missingRecipients: prepared.missingRecipients };
}
