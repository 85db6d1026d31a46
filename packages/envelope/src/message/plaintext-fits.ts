import { InvalidArgumentError } from '../errors.js';

/** Refuses plaintext that would not fit in the caller's `out` (decryptInto), before it is written. */
export function assertPlaintextFits(needed: number, out: Uint8Array): void {
  if (needed > out.length) {
    throw new InvalidArgumentError(
      `out holds ${out.length} bytes; this message's plaintext needs more (message.length always suffices)`,
    );
  }
}
