import { ErrorCodes, PolykmsError } from '../errors.js';
import { raceAbort } from '../driver/race-abort.js';
import { freeNow } from '../crypto/free-now.js';

/** The error a stream ends with when its `signal` aborts. */
export function cancelledError(signal: AbortSignal): PolykmsError {
  return new PolykmsError(ErrorCodes.Cancelled, 'the operation was cancelled', { cause: signal.reason });
}

/** Throws the cancellation error if `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError(signal);
}

/**
 * Settles with `promise`, or rejects with ERR_CANCELLED as soon as `signal` aborts: for waits on
 * a source or a keyring that may never notice the signal. The promise itself goes on.
 */
export async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  try {
    return await raceAbort(promise, signal);
  } catch (error) {
    if (signal.aborted) throw cancelledError(signal);
    throw error;
  }
}

/** Calls `onAbort` once when `signal` aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * Zeroes plaintext that is not to be released (after all, or because it was used up inside the
 * library) and frees its memory at once (`freeNow`): node:crypto's per-frame buffers, never handed out.
 */
export function discardPlaintext(parts: readonly Uint8Array[]): void {
  for (const part of parts) {
    part.fill(0);
    freeNow(part);
  }
}
