import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, InvalidArgumentError, isPolykmsError } from '../errors.js';

/** How a KMS keyring retries a throttled or unavailable call. */
export interface RetryOptions {
  /** Attempts per KMS operation, the first included; 1 turns retries off. */
  readonly maxAttempts?: number | undefined;
  /** Backoff before the first retry in ms, doubled for each further one (full jitter). Default 100. */
  readonly initialDelayMs?: number | undefined;
  /** Cap on any single backoff in ms. Default 2000. */
  readonly maxDelayMs?: number | undefined;
}

export type RetryPolicy = Required<{ [K in keyof RetryOptions]: number }>;

/**
 * No retries of our own: the default for SDKs that retry by themselves (AWS, Azure), where a
 * second layer would multiply the attempts.
 */
export const NO_RETRY: RetryPolicy = { maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 2000 };

/** Attempts are capped so that a misconfiguration cannot turn an outage into a hang. */
const MAX_ATTEMPTS = 10;
const MAX_DELAY_MS = 60_000;

function positiveInteger(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max;
}

/** The options over `defaults`; throws ERR_INVALID_ARGUMENT for a value out of range. */
export function retryPolicy(
  options: RetryOptions | undefined,
  defaults: RetryPolicy,
  provider: string,
): RetryPolicy {
  const policy = {
    maxAttempts: options?.maxAttempts ?? defaults.maxAttempts,
    initialDelayMs: options?.initialDelayMs ?? defaults.initialDelayMs,
    maxDelayMs: options?.maxDelayMs ?? defaults.maxDelayMs,
  };
  if (!positiveInteger(policy.maxAttempts, MAX_ATTEMPTS)) {
    throw new InvalidArgumentError(`retry.maxAttempts must be an integer from 1 to ${MAX_ATTEMPTS}`, {
      provider,
    });
  }
  if (
    !positiveInteger(policy.initialDelayMs, MAX_DELAY_MS) ||
    !positiveInteger(policy.maxDelayMs, MAX_DELAY_MS)
  ) {
    throw new InvalidArgumentError(
      `retry.initialDelayMs and retry.maxDelayMs must be integers from 1 to ${MAX_DELAY_MS}`,
      { provider },
    );
  }
  return policy;
}

/** The failures a second try can fix. A timeout is not one: the deadline is the caller's budget. */
function isTransient(error: unknown): boolean {
  return isPolykmsError(error, ErrorCodes.Throttled) || isPolykmsError(error, ErrorCodes.Unavailable);
}

/**
 * Runs `attempt` until it succeeds, fails with something other than ERR_THROTTLED or
 * ERR_UNAVAILABLE, or has run `maxAttempts` times; then the last typed error stands, so the
 * caller sees why the service refused rather than a generic deadline.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let made = 1; ; made++) {
    try {
      return await attempt();
    } catch (error) {
      if (made >= policy.maxAttempts || !isTransient(error) || signal?.aborted) throw error;
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (made - 1));
    // An abort while waiting ends the wait; the next attempt then fails at once with ERR_CANCELLED.
    await sleep(Math.random() * ceiling, undefined, { signal }).catch(() => {});
  }
}
