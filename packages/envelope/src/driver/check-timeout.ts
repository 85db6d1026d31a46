import { InvalidArgumentError } from '../errors.js';

/** Node clamps a longer timer to 1 ms: a deadline past it would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Validates a cloud keyring's `timeoutMs` option at construction: undefined (no deadline of our
 * own) or a positive integer of milliseconds, at most 2^31 − 1 (~24.8 days). `provider` goes on
 * the error.
 */
export function checkTimeoutMs(timeoutMs: unknown, provider: string): void {
  if (timeoutMs === undefined) return;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw new InvalidArgumentError(
      `${provider}: timeoutMs must be a positive integer of milliseconds, at most ${MAX_TIMEOUT_MS}`,
      { provider },
    );
  }
}
