import { MalformedMessageError } from '../errors.js';

/** Marks the final frame of a framed body. */
export const FINAL_FRAME_MARKER = 0xffff_ffff;

export const FRAME_IV_LENGTH = 12;
export const FRAME_TAG_LENGTH = 16;
/** Sequence number, IV. */
export const REGULAR_FRAME_PREFIX_LENGTH = 4 + FRAME_IV_LENGTH;
/** Marker, sequence number, IV, content length. */
export const FINAL_FRAME_PREFIX_LENGTH = 4 + 4 + FRAME_IV_LENGTH + 4;

/**
 * The exact length of a framed body (without footer) for `plaintextLength` bytes: full frames,
 * then a final frame with the rest (empty when the plaintext fills the last frame exactly).
 */
export function framedBodyLength(plaintextLength: number, frameLength: number): number {
  const fullFrames = Math.floor(plaintextLength / frameLength);
  const rest = plaintextLength - fullFrames * frameLength;
  return fullFrames * regularFrameSize(frameLength) + FINAL_FRAME_PREFIX_LENGTH + rest + FRAME_TAG_LENGTH;
}

/** The big-endian u32 at `offset` of a frame prefix whose length the caller has checked. */
export function readU32(bytes: Uint8Array, offset = 0): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}

/** Bytes of one full frame on the wire. */
export function regularFrameSize(frameLength: number): number {
  return REGULAR_FRAME_PREFIX_LENGTH + frameLength + FRAME_TAG_LENGTH;
}

const FRAME_LABEL = Buffer.from('AWSKMSEncryptionClient Frame', 'ascii');
const FINAL_FRAME_LABEL = Buffer.from('AWSKMSEncryptionClient Final Frame', 'ascii');
const SINGLE_BLOCK_LABEL = Buffer.from('AWSKMSEncryptionClient Single Block', 'ascii');

export type FrameKind = 'frame' | 'final' | 'single-block';

const labels: Record<FrameKind, Buffer> = {
  frame: FRAME_LABEL,
  final: FINAL_FRAME_LABEL,
  'single-block': SINGLE_BLOCK_LABEL,
};

/** IV of frame `sequenceNumber`: 8 zero bytes ‖ u32 sequence number. */
export function frameIv(sequenceNumber: number): Buffer {
  const iv = Buffer.allocUnsafe(12);
  iv.writeUInt32BE(0, 0);
  iv.writeUInt32BE(0, 4);
  iv.writeUInt32BE(sequenceNumber, 8);
  return iv;
}

/** True when `iv` is frame `sequenceNumber`'s IV. IVs are public, so a plain comparison is fine. */
export function isFrameIv(iv: Uint8Array, sequenceNumber: number): boolean {
  if (iv.length !== 12) return false;
  for (let i = 0; i < 8; i++) if (iv[i] !== 0) return false;
  return ((iv[8]! << 24) | (iv[9]! << 16) | (iv[10]! << 8) | iv[11]!) >>> 0 === sequenceNumber;
}

/** The rules for the start of every frame, checked before any of its bytes are used. */
export function checkFrameStart(expectedSequence: number, sequenceNumber: number, iv: Uint8Array): void {
  if (sequenceNumber !== expectedSequence) {
    throw new MalformedMessageError('frames are out of order, missing or repeated');
  }
  if (!isFrameIv(iv, sequenceNumber)) {
    throw new MalformedMessageError('a frame IV does not match its sequence number');
  }
}

export function checkFinalFrameLength(contentLength: number, frameLength: number): void {
  if (contentLength > frameLength) {
    throw new MalformedMessageError('the final frame is longer than the frame length');
  }
}

/** Body AAD: message id ‖ label ‖ u32 sequence number ‖ u64 content length. */
export function frameAad(
  messageId: Uint8Array,
  kind: FrameKind,
  sequenceNumber: number,
  contentLength: number,
): Buffer {
  const label = labels[kind];
  const aad = Buffer.allocUnsafe(messageId.length + label.length + 12);
  aad.set(messageId, 0);
  label.copy(aad, messageId.length);
  const tail = messageId.length + label.length;
  aad.writeUInt32BE(sequenceNumber, tail);
  aad.writeUInt32BE(Math.floor(contentLength / 0x1_0000_0000), tail + 4);
  aad.writeUInt32BE(contentLength >>> 0, tail + 8);
  return aad;
}

/** The bytes before a regular frame's ciphertext: u32 sequence number ‖ IV. */
export function regularFramePrefix(sequenceNumber: number): Buffer {
  const prefix = Buffer.allocUnsafe(REGULAR_FRAME_PREFIX_LENGTH);
  prefix.writeUInt32BE(sequenceNumber, 0);
  prefix.writeUInt32BE(0, 4);
  prefix.writeUInt32BE(0, 8);
  prefix.writeUInt32BE(sequenceNumber, 12);
  return prefix;
}

/** The bytes before the final frame's ciphertext: marker ‖ u32 sequence number ‖ IV ‖ u32 length. */
export function finalFramePrefix(sequenceNumber: number, iv: Uint8Array, contentLength: number): Uint8Array {
  const prefix = Buffer.allocUnsafe(FINAL_FRAME_PREFIX_LENGTH);
  prefix.writeUInt32BE(FINAL_FRAME_MARKER, 0);
  prefix.writeUInt32BE(sequenceNumber, 4);
  prefix.set(iv, 8);
  prefix.writeUInt32BE(contentLength, 8 + FRAME_IV_LENGTH);
  return prefix;
}
