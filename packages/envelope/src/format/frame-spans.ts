import { MalformedMessageError } from '../errors.js';
import {
  FINAL_FRAME_MARKER,
  FINAL_FRAME_PREFIX_LENGTH,
  FRAME_IV_LENGTH,
  FRAME_TAG_LENGTH,
  REGULAR_FRAME_PREFIX_LENGTH,
  type FrameKind,
  checkFinalFrameLength,
  checkFrameStart,
  readU32,
} from './body.js';

/** Where one frame of a buffered framed body lies. Offsets are into the body. */
export interface FrameSpan {
  readonly kind: Extract<FrameKind, 'frame' | 'final'>;
  readonly sequenceNumber: number;
  /** The frame's IV, as checked against its sequence number. */
  readonly iv: Uint8Array;
  readonly contentAt: number;
  readonly contentLength: number;
  readonly tagAt: number;
}

/**
 * The frames of a framed body held whole in memory, in order, each prefix checked (sequence,
 * IV, final-frame length) before the frame is yielded; nothing is decrypted. Returns where the
 * final frame ends (the footer, if any, follows). Throws `ERR_MALFORMED_MESSAGE` when a prefix is
 * wrong or the body ends before its final frame does. Buffered parallel decrypt lays out its
 * work with it; the streaming `BodyDecryptor` applies the same checks as bytes arrive.
 */
export function* framedBodySpans(body: Uint8Array, frameLength: number): Generator<FrameSpan, number> {
  let at = 0;
  for (let expected = 1; ; expected++) {
    if (body.length - at < 4) throw truncated();
    const first = readU32(body, at);
    const final = first === FINAL_FRAME_MARKER;
    const prefixLength = final ? FINAL_FRAME_PREFIX_LENGTH : REGULAR_FRAME_PREFIX_LENGTH;
    if (body.length - at < prefixLength) throw truncated();
    const sequenceNumber = final ? readU32(body, at + 4) : first;
    const ivAt = at + (final ? 8 : 4);
    const iv = body.subarray(ivAt, ivAt + FRAME_IV_LENGTH);
    checkFrameStart(expected, sequenceNumber, iv);
    const contentLength = final ? readU32(body, at + 20) : frameLength;
    if (final) checkFinalFrameLength(contentLength, frameLength);
    const contentAt = at + prefixLength;
    const tagAt = contentAt + contentLength;
    if (body.length - tagAt < FRAME_TAG_LENGTH) throw truncated();
    yield { kind: final ? 'final' : 'frame', sequenceNumber, iv, contentAt, contentLength, tagAt };
    at = tagAt + FRAME_TAG_LENGTH;
    if (final) return at;
  }
}

function truncated(): MalformedMessageError {
  return new MalformedMessageError('the message is truncated');
}
