import { ErrorCodes, PolykmsError } from '../errors.js';

/** The error a stream ends with when its `signal` aborts. */
export function cancelledError(signal: AbortSignal): PolykmsError {
  return new PolykmsError(ErrorCodes.Cancelled, 'the operation was cancelled', { cause: signal.reason });
}

/** Throws the cancellation error if `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError(signal);
}
