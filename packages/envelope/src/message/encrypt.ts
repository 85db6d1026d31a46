import type { EncryptOptions, EncryptResult } from './options.js';
import { prepareEncryption } from './prepare-encryption.js';

/** Encrypts `plaintext` into one message (v2, framed) whose data key `options.keyring` wraps. */
export async function encrypt(plaintext: Uint8Array, options: EncryptOptions): Promise<EncryptResult> {
  const prepared = await prepareEncryption(options, plaintext.length);
  const parts = [prepared.headerBytes, ...prepared.body.finish(plaintext)];
  return {
    message: Buffer.concat(parts),
    header: prepared.header,
    missingRecipients: prepared.missingRecipients,
  };
}
