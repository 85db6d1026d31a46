import { InvalidArgumentError } from '../errors.js';
import { MAX_FRAME_LENGTH } from '../limits.js';

/**
 * Chosen by measurement (bench/README.md): at 4 KiB, the ESDK's default, per-frame cipher set-up
 * dominates and throughput is a fraction of raw AES-GCM; by 64 KiB it is within a few percent of
 * the best, and larger frames only raise the memory a streaming reader needs per frame.
 */
export const DEFAULT_FRAME_LENGTH = 64 * 1024;

export function checkFrameLength(frameLength: number): number {
  if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > MAX_FRAME_LENGTH) {
    throw new InvalidArgumentError(`frameLength must be an integer from 1 to ${MAX_FRAME_LENGTH}`);
  }
  return frameLength;
}
