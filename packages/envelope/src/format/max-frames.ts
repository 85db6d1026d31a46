import { LimitExceededError } from '../errors.js';
import { DEFAULT_MAX_FRAMES } from '../limits.js';
import { FINAL_FRAME_PREFIX_LENGTH, FRAME_TAG_LENGTH, regularFrameSize } from './body.js';
import type { MessageHeader } from './header.js';

/** The largest footer: a u16 length and a signature of at most that many bytes. */
const MAX_FOOTER_BYTES = 2 + 0xffff;

function tooManyFrames(what: string, maxFrames: number): LimitExceededError {
  return new LimitExceededError(
    `${what} more than maxFrames (${maxFrames}) frames: every frame costs a cipher setup and a tag ` +
      'check whatever its length, so a message of tiny frames costs far more CPU per byte. Raise ' +
      'maxFrames if the message is expected to be that large',
  );
}

/**
 * Frame `sequenceNumber` (from 1) is about to be read: refused past `maxFrames`, so that a
 * message of 1-byte frames streamed from anywhere stops costing CPU at the bound.
 */
export function assertWithinMaxFrames(sequenceNumber: number, maxFrames: number = DEFAULT_MAX_FRAMES): void {
  if (sequenceNumber > maxFrames) throw tooManyFrames('the message has', maxFrames);
}

/**
 * A body of `bodyLength` bytes, whose length is known before it is read (a message in memory, a
 * file), refused at once when it must hold more than `maxFrames` frames: before any KMS call.
 * Counted from below (every regular frame takes its full size on the wire; the final frame and a
 * footer of the largest size are set aside), so no message within the bound is refused.
 */
export function assertBodyWithinMaxFrames(
  header: MessageHeader,
  bodyLength: number,
  maxFrames: number = DEFAULT_MAX_FRAMES,
): void {
  if (header.contentType !== 'framed') return;
  const footer = header.suite.signature ? MAX_FOOTER_BYTES : 0;
  const finalFrame = FINAL_FRAME_PREFIX_LENGTH + FRAME_TAG_LENGTH;
  const regularFrames = Math.floor(
    Math.max(0, bodyLength - footer - finalFrame) / regularFrameSize(header.frameLength),
  );
  if (regularFrames + 1 > maxFrames) throw tooManyFrames('the message is long enough to hold', maxFrames);
}
