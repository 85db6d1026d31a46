import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, InvalidArgumentError, isPolykmsError } from '@polykms/envelope';
import { PROVIDER_ID } from './errors.js';

/** How a Cloud KMS keyring retries a throttled or unavailable call. */
export interface GcpRetryOptions {
  /** Attempts per KMS operation, the first included; 1 turns retries off. Default 4. */
  readonly maxAttempts?: number | undefined;
  /** Backoff before the first retry in ms, doubled for each further one (full jitter). Default 100. */
  readonly initialDelayMs?: number | undefined;
  /** Cap on any single backoff in ms. Default 2000. */
  readonly maxDelayMs?: number | undefined;
}

export type RetryPolicy = Required<{ [K in keyof GcpRetryOptions]: number }>;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 2000 };

/** Attempts are capped so that a misconfiguration cannot turn an outage into a hang. */
const MAX_ATTEMPTS = 10;

function positiveInteger(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max;
}

/** The options with defaults filled in; throws ERR_INVALID_ARGUMENT for a value out of range. */
export function retryPolicy(options: GcpRetryOptions | undefined): RetryPolicy {
  const policy = {
    maxAttempts: options?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    initialDelayMs: options?.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs,
    maxDelayMs: options?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
  };
  if (!positiveInteger(policy.maxAttempts, MAX_ATTEMPTS)) {
    throw new InvalidArgumentError(`retry.maxAttempts must be an integer from 1 to ${MAX_ATTEMPTS}`, {
      provider: PROVIDER_ID,
    });
  }
  if (!positiveInteger(policy.initialDelayMs, 60_000) || !positiveInteger(policy.maxDelayMs, 60_000)) {
    throw new InvalidArgumentError(
      'retry.initialDelayMs and retry.maxDelayMs must be integers from 1 to 60000',
      {
        provider: PROVIDER_ID,
      },
    );
  }
  return policy;
}

function isTransient(error: unknown): boolean {
  return (
    isPolykmsError(error) && (error.code === ErrorCodes.Throttled || error.code === ErrorCodes.Unavailable)
  );
}

/**
 * Runs `attempt` until it succeeds, fails with something other than ERR_THROTTLED or
 * ERR_UNAVAILABLE, or has run `maxAttempts` times; then the last typed error stands, so the
 * caller sees why the service refused rather than a generic deadline. (The Google client's own
 * retries report exhaustion as DEADLINE_EXCEEDED, losing that, so they are turned off per call.)
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
