import { LimitExceededError } from '../errors.js';

/**
 * What `maxFrameLength` bounds: the bytes a decryptor must hold before one tag can authenticate
 * them. In a framed message that is one frame; a non-framed (v1) body is a single block under a
 * single tag, so that block is the message's one frame and its content length is bounded the same
 * way. The frame length is known from the header; a single block's length only from the body.
 */
export function assertWithinMaxFrameLength(
  unit: 'frame' | 'single-block',
  length: number,
  maxFrameLength: number | undefined,
): void {
  if (maxFrameLength === undefined || length <= maxFrameLength) return;
  if (unit === 'frame') {
    throw new LimitExceededError(
      `the message's frame length (${length} bytes) exceeds maxFrameLength (${maxFrameLength})`,
    );
  }
  throw new LimitExceededError(
    `the message is non-framed (legacy v1): its body is one ${length}-byte block that must be held ` +
      `whole until its tag verifies, more than maxFrameLength (${maxFrameLength}). Raise maxFrameLength ` +
      `to at least ${length} if that much memory is acceptable, or decrypt the message whole with the buffered decrypt()`,
  );
}
