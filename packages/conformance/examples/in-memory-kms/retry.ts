import { isPolykmsError } from '@polykms/envelope';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  /** Backoff before attempt n+1 is a random delay up to `baseDelayMs · 2^n` ("full jitter"). */
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 50 };

/**
 * Retries throttling and unavailability only: they are the failures a second try can fix.
 * Timeouts are not retried here, because the deadline is the caller's budget for the whole call.
 * The backoff ends early when the signal aborts; the next attempt then fails as cancelled.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const transient = isPolykmsError(error, 'ERR_THROTTLED') || isPolykmsError(error, 'ERR_UNAVAILABLE');
      if (!transient || n + 1 >= policy.attempts || signal?.aborted) throw error;
      await backoff(Math.random() * policy.baseDelayMs * 2 ** n, signal);
    }
  }
}

function backoff(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
