import { channel } from 'node:diagnostics_channel';
import { ErrorCodes, KmsError, type PolykmsError, isPolykmsError } from '../errors.js';
import { cancelledByCaller, raceAbort } from './race-abort.js';

/**
 * Every KMS call made by a polykms keyring is published here once it ends, so that OpenTelemetry,
 * metrics or an audit log can subscribe with `diagnostics_channel.subscribe(KMS_CALL_CHANNEL, …)`.
 * Events carry no secrets: no plaintext, data key, ciphertext or credential.
 */
export const KMS_CALL_CHANNEL = 'polykms:kms-call';

export interface KmsCallEvent {
  readonly provider: string;
  readonly operation: string;
  readonly keyId: string | undefined;
  readonly durationMs: number;
  readonly outcome: 'success' | 'error';
  /** The polykms error code when the call failed. */
  readonly errorCode?: string;
}

const kmsCallChannel = channel(KMS_CALL_CHANNEL);

export interface KmsCallOptions {
  readonly provider: string;
  readonly operation: string;
  readonly keyId?: string | undefined;
  /** Abort from the caller. */
  readonly signal?: AbortSignal | undefined;
  /** Per-call deadline in milliseconds; undefined = none beyond the SDK's own. */
  readonly timeoutMs?: number | undefined;
  /** The provider's error table: turns an SDK error into a typed error. */
  readonly mapError: (
    error: unknown,
    context: { operation: string; keyId: string | undefined },
  ) => PolykmsError;
}

/**
 * Runs one KMS call with a combined abort signal (the caller's and the timeout), maps any
 * failure through the provider's table, and publishes the call on the diagnostics channel.
 * `call` receives the signal to pass to the SDK.
 */
export async function kmsCall<T>(
  options: KmsCallOptions,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { provider, operation, keyId } = options;
  const signals: AbortSignal[] = [];
  if (options.signal) signals.push(options.signal);
  const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  if (timeout) signals.push(timeout);
  const signal = AbortSignal.any(signals);
  const started = performance.now();
  const publish = (outcome: 'success' | 'error', errorCode?: string) => {
    if (!kmsCallChannel.hasSubscribers) return;
    const event: KmsCallEvent = {
      provider,
      operation,
      keyId,
      durationMs: performance.now() - started,
      outcome,
      ...(errorCode === undefined ? {} : { errorCode }),
    };
    kmsCallChannel.publish(event);
  };
  try {
    if (signal.aborted) throw signal.reason;
    const result = await raceAbort(call(signal), signal);
    publish('success');
    return result;
  } catch (error) {
    const typed = classify(error, options, timeout, signal);
    publish('error', typed.code);
    throw typed;
  }
}

function classify(
  error: unknown,
  options: KmsCallOptions,
  timeout: AbortSignal | undefined,
  signal: AbortSignal,
): PolykmsError {
  const { provider, operation, keyId } = options;
  const timedOut = signal.aborted && timeout?.aborted === true && options.signal?.aborted !== true;
  // A typed error passes as it is, except a cancellation of work the call waited on when it was
  // our deadline that ended the wait: that is a timeout.
  if (isPolykmsError(error) && !(timedOut && error.code === ErrorCodes.Cancelled)) return error;
  if (signal.aborted) {
    if (!timedOut) return cancelledByCaller(options, error);
    return new KmsError({
      code: ErrorCodes.Timeout,
      provider,
      operation,
      keyId,
      detail: `no answer within ${options.timeoutMs} ms`,
      cause: error,
    });
  }
  return options.mapError(error, { operation, keyId });
}
