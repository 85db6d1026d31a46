import { ErrorCodes, KmsError } from '../errors.js';

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts, whichever
 * comes first. The promise itself goes on: SDKs do not all stop promptly on abort, and work shared
 * with other callers must not stop for one of them.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export interface SharedWaitOptions {
  readonly provider: string;
  /** The KMS operation the shared promise stands for, e.g. `get` for a key-type lookup. */
  readonly operation: string;
  readonly keyId?: string | undefined;
  /** This caller's abort. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * One caller's wait for work shared by concurrent callers (a memoized lookup made once per
 * keyring). The caller stops waiting with ERR_CANCELLED, as `kmsCall` reports an abort, as soon as
 * its own signal aborts; the shared work goes on for the others, so it must run under no caller's
 * signal. `shared` is not called at all when the signal has already aborted.
 */
export async function waitForShared<T>(options: SharedWaitOptions, shared: () => Promise<T>): Promise<T> {
  const { signal } = options;
  if (signal === undefined) return shared();
  try {
    if (signal.aborted) throw signal.reason;
    return await raceAbort(shared(), signal);
  } catch (error) {
    if (!signal.aborted) throw error;
    throw cancelledByCaller(options, error);
  }
}

/** ERR_CANCELLED for an operation the caller aborted. */
export function cancelledByCaller(options: Omit<SharedWaitOptions, 'signal'>, cause: unknown): KmsError {
  return new KmsError({
    code: ErrorCodes.Cancelled,
    provider: options.provider,
    operation: options.operation,
    keyId: options.keyId,
    detail: 'aborted by the caller',
    cause,
  });
}
