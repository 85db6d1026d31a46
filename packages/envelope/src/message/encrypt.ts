import { framedBodyLength } from '../format/body.js';
import { OutputBuffer } from '../format/output-buffer.js';
import type { EncryptOptions, EncryptResult } from './options.js';
import { prepareEncryption } from './prepare-encryption.js';

/** Room for a footer: u16 length and a DER ECDSA signature (at most 104 bytes for P-384). */
const MAX_FOOTER_LENGTH = 2 + 255;

/** Encrypts `plaintext` into one message (v2, framed) whose data key `options.keyring` wraps. */
export async function encrypt(plaintext: Uint8Array, options: EncryptOptions): Promise<EncryptResult> {
  const prepared = await prepareEncryption(options, plaintext.length);
  const { frameLength, suite } = prepared.header;
  const out = new OutputBuffer(
    prepared.headerBytes.length +
      framedBodyLength(plaintext.length, frameLength) +
      (suite.signature ? MAX_FOOTER_LENGTH : 0),
  );
  out.append([prepared.headerBytes]);
  // Whole frames one at a time (each copied out while still in cache); the tail goes to finish,
  // which seals it straight as the final frame.
  const tailStart = plaintext.length - (plaintext.length % frameLength);
  for (let offset = 0; offset < tailStart; offset += frameLength) {
    out.append(prepared.body.push(plaintext.subarray(offset, offset + frameLength)));
  }
  out.append(prepared.body.finish(plaintext.subarray(tailStart)));
  return {
    message: out.finish(),
    header: prepared.header,
    missingRecipients: prepared.missingRecipients,
  };
}
