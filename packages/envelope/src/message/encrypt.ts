import { OutputBuffer } from '../format/output-buffer.js';
import { encryptedLength } from './message-length.js';
import type { EncryptOptions, EncryptResult } from './options.js';
import { prepareEncryption } from './prepare-encryption.js';
import { sealBody } from './seal-body.js';

/** Encrypts `plaintext` into one message (v2, framed) whose data key `options.keyring` wraps. */
export async function encrypt(plaintext: Uint8Array, options: EncryptOptions): Promise<EncryptResult> {
  const prepared = await prepareEncryption(options, plaintext.length);
  const { frameLength, suite } = prepared.header;
  const out = new OutputBuffer(
    encryptedLength(plaintext.length, { headerLength: prepared.headerBytes.length, frameLength, suite }),
  );
  out.append([prepared.headerBytes]);
  sealBody(prepared.body, frameLength, plaintext, (parts) => out.append(parts));
  return {
    message: out.finish(),
    header: prepared.header,
    missingRecipients: prepared.missingRecipients,
  };
}
