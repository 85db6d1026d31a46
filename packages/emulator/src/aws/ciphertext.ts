import { KEY_ID } from './store.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { canonicalContext } from './encryption-context.js';

/**
 * The emulator's ciphertext blob:
 *   [1 byte format version = 1][36-byte key UUID (ASCII)][u32 BE backing-key index][12-byte IV]
 *   [AES-256-GCM ciphertext][16-byte tag]
 * The AAD is the blob's header (everything before the ciphertext) followed by the canonical
 * encryption context, so a changed key id, index or context fails authentication.
 */
const FORMAT_VERSION = 1;
const UUID_LENGTH = 36;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 1 + UUID_LENGTH + 4 + IV_LENGTH;
export const MIN_BLOB_LENGTH = HEADER_LENGTH + TAG_LENGTH;

export interface BlobHeader {
  readonly keyUuid: string;
  readonly backingIndex: number;
}

export function sealBlob(
  backingKey: Buffer,
  header: BlobHeader,
  plaintext: Buffer,
  context: Readonly<Record<string, string>>,
): Buffer {
  const head = Buffer.alloc(HEADER_LENGTH);
  head.writeUInt8(FORMAT_VERSION, 0);
  head.write(header.keyUuid, 1, UUID_LENGTH, 'latin1');
  head.writeUInt32BE(header.backingIndex, 1 + UUID_LENGTH);
  randomBytes(IV_LENGTH).copy(head, 1 + UUID_LENGTH + 4);
  const cipher = createCipheriv('aes-256-gcm', backingKey, head.subarray(1 + UUID_LENGTH + 4));
  cipher.setAAD(Buffer.concat([head, canonicalContext(context)]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, body, cipher.getAuthTag()]);
}

/** The key and backing key a blob names, or null when it is not one of ours. Reads no secrets. */
export function readBlobHeader(blob: Buffer): BlobHeader | null {
  if (blob.length < MIN_BLOB_LENGTH || blob[0] !== FORMAT_VERSION) return null;
  const keyUuid = blob.toString('latin1', 1, 1 + UUID_LENGTH);
  if (!KEY_ID.test(keyUuid)) return null;
  return { keyUuid, backingIndex: blob.readUInt32BE(1 + UUID_LENGTH) };
}

/** The plaintext, or null when the blob does not authenticate under this key and context. */
export function openBlob(
  backingKey: Buffer,
  blob: Buffer,
  context: Readonly<Record<string, string>>,
): Buffer | null {
  if (blob.length < MIN_BLOB_LENGTH) return null;
  const head = blob.subarray(0, HEADER_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', backingKey, head.subarray(1 + UUID_LENGTH + 4));
  decipher.setAAD(Buffer.concat([head, canonicalContext(context)]));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_LENGTH));
  const body = decipher.update(blob.subarray(HEADER_LENGTH, blob.length - TAG_LENGTH));
  try {
    return Buffer.concat([body, decipher.final()]);
  } catch {
    body.fill(0);
    return null;
  }
}
