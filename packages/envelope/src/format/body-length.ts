/** Sequence number, IV, tag. */
const REGULAR_FRAME_OVERHEAD = 4 + 12 + 16;
/** Marker, sequence number, IV, content length, tag. */
const FINAL_FRAME_OVERHEAD = 4 + 4 + 12 + 4 + 16;

/**
 * The exact length of a framed body (without footer) for `plaintextLength` bytes: full frames,
 * then a final frame with the rest (empty when the plaintext fills the last frame exactly).
 */
export function framedBodyLength(plaintextLength: number, frameLength: number): number {
  const fullFrames = Math.floor(plaintextLength / frameLength);
  const rest = plaintextLength - fullFrames * frameLength;
  return fullFrames * (frameLength + REGULAR_FRAME_OVERHEAD) + FINAL_FRAME_OVERHEAD + rest;
}

/** Bytes of one full frame on the wire. */
export function regularFrameSize(frameLength: number): number {
  return frameLength + REGULAR_FRAME_OVERHEAD;
}
