import { createCipheriv, hkdfSync } from 'node:crypto';
import type { StreamDecryptOptions } from '@polykms/envelope';
import { runDecryptStream } from './run-decrypt-stream.js';
import { u16, u32, u64 } from './wire.js';

/**
 * Forges v2 messages with a known data key, straight from the format description (not from the
 * package's own code): a test can then build a message whose commitment, header tag and frame
 * tags are all valid, so that only the one check under test can refuse it.
 */

/** The key (header tag and frames) and commitment of a v2 message. */
export interface V2Keys {
  readonly key: Buffer;
  readonly commitment: Buffer;
}

/** HKDF-SHA512 with the message id as salt: info suite id ‖ "DERIVEKEY", and "COMMITKEY". */
export function v2Keys(suiteId: number, dataKey: Uint8Array, messageId: Uint8Array): V2Keys {
  const info = Buffer.concat([u16(suiteId), Buffer.from('DERIVEKEY')]);
  return {
    key: Buffer.from(hkdfSync('sha512', dataKey, messageId, info, 32)),
    commitment: Buffer.from(hkdfSync('sha512', dataKey, messageId, Buffer.from('COMMITKEY'), 32)),
  };
}

/** A v2 header: its authenticated bytes (commitment included) followed by their tag (IV 0, no required pairs). */
export function taggedHeader(key: Uint8Array, authenticated: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12));
  cipher.setAAD(authenticated);
  cipher.final();
  return Buffer.concat([authenticated, cipher.getAuthTag()]);
}

/** v2 header offset of the encryption context's u16 length: version (1), suite id (2), message id (32). */
const V2_CONTEXT_OFFSET = 35;

/** The authenticated bytes of a v2 header with its serialized encryption context replaced. */
export function withContext(authenticated: Uint8Array, serializedContext: Uint8Array): Buffer {
  const bytes = Buffer.from(authenticated);
  const oldLength = bytes.readUInt16BE(V2_CONTEXT_OFFSET);
  return Buffer.concat([
    bytes.subarray(0, V2_CONTEXT_OFFSET),
    u16(serializedContext.length),
    serializedContext,
    bytes.subarray(V2_CONTEXT_OFFSET + 2 + oldLength),
  ]);
}

/** IV of frame `sequenceNumber`: 8 zero bytes ‖ u32 sequence number. */
export function frameIv(sequenceNumber: number): Buffer {
  return Buffer.concat([Buffer.alloc(8), u32(sequenceNumber)]);
}

function seal(
  key: Uint8Array,
  messageId: Uint8Array,
  label: string,
  sequenceNumber: number,
  iv: Uint8Array,
  plaintext: Uint8Array,
): [Buffer, Buffer] {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.concat([messageId, Buffer.from(label), u32(sequenceNumber), u64(plaintext.length)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [ciphertext, cipher.getAuthTag()];
}

/** A regular frame on the wire: sequence number ‖ IV ‖ ciphertext ‖ tag, authentic under `iv`. */
export function regularFrame(
  key: Uint8Array,
  messageId: Uint8Array,
  sequenceNumber: number,
  plaintext: Uint8Array,
  iv: Uint8Array = frameIv(sequenceNumber),
): Buffer {
  const [ciphertext, tag] = seal(
    key,
    messageId,
    'AWSKMSEncryptionClient Frame',
    sequenceNumber,
    iv,
    plaintext,
  );
  return Buffer.concat([u32(sequenceNumber), iv, ciphertext, tag]);
}

/** The final frame on the wire: marker ‖ sequence number ‖ IV ‖ u32 length ‖ ciphertext ‖ tag. */
export function finalFrame(
  key: Uint8Array,
  messageId: Uint8Array,
  sequenceNumber: number,
  plaintext: Uint8Array,
  iv: Uint8Array = frameIv(sequenceNumber),
): Buffer {
  const [ciphertext, tag] = seal(
    key,
    messageId,
    'AWSKMSEncryptionClient Final Frame',
    sequenceNumber,
    iv,
    plaintext,
  );
  return Buffer.concat([u32(0xffff_ffff), u32(sequenceNumber), iv, u32(plaintext.length), ciphertext, tag]);
}

/** Runs `decryptStream` over `message` in chunks of `chunkSize`: what it released and how it ended. */
export async function decryptStreamed(
  message: Uint8Array,
  options: StreamDecryptOptions,
  chunkSize = 7,
): Promise<{ released: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < message.length; offset += chunkSize) {
    chunks.push(Buffer.from(message.subarray(offset, offset + chunkSize)));
  }
  return runDecryptStream(chunks, options);
}
