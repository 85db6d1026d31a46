import { InvalidArgumentError } from '../errors.js';

/**
 * Validates a cloud keyring's `timeoutMs` option at construction: undefined (no deadline of our
 * own) or a positive integer of milliseconds. `provider` goes on the error.
 */
export function checkTimeoutMs(timeoutMs: unknown, provider: string): void {
  if (timeoutMs === undefined) return;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidArgumentError(`${provider}: timeoutMs must be a positive integer of milliseconds`, {
      provider,
    });
  }
}
