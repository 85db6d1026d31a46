import { ErrorCodes } from '@polykms/envelope';
import type { FileFailure } from './file-failure.js';

/**
 * Codes that say a key cannot be used by these credentials at all: every other file under the
 * same key fails the same way, so going on only burns KMS calls (and fills the audit log).
 */
const KEY_UNUSABLE_CODES: ReadonlySet<string> = new Set([
  ErrorCodes.AccessDenied,
  ErrorCodes.KeyDisabled,
  ErrorCodes.KeyNotFound,
]);

/**
 * A failure no retry can fix and that is not about this file alone: the key itself is refused.
 * A damaged file (ERR_DECRYPTION_FAILED, ERR_MALFORMED_MESSAGE) or an outage (retryable) is not:
 * the next file may well succeed.
 */
export function isRunStopper(failure: FileFailure): boolean {
  if (failure.retryable) return false;
  if (KEY_UNUSABLE_CODES.has(failure.code)) return true;
  // No key opened the data key: a stopper when every recipient was refused outright.
  const recipients = failure.recipients ?? [];
  return recipients.length > 0 && recipients.every((r) => KEY_UNUSABLE_CODES.has(r.code));
}

export interface FailurePolicy {
  /** Stop once this many files failed (undefined: never for the count alone). */
  readonly maxFailures?: number | undefined;
  /** Go on after a failure that no retry can fix (access denied, key disabled or not found). */
  readonly keepGoing: boolean;
}

/** Why a run stopped before taking every file. */
export type StopReason =
  | { readonly kind: 'max-failures'; readonly maxFailures: number }
  | { readonly kind: 'unfixable'; readonly failure: FileFailure };

/** Whether the run must stop taking new files after `failures` (the latest last). */
export function stopReason(policy: FailurePolicy, failures: readonly FileFailure[]): StopReason | undefined {
  const latest = failures.at(-1);
  if (latest === undefined) return undefined;
  if (!policy.keepGoing && isRunStopper(latest)) return { kind: 'unfixable', failure: latest };
  if (policy.maxFailures !== undefined && failures.length >= policy.maxFailures)
    return { kind: 'max-failures', maxFailures: policy.maxFailures };
  return undefined;
}
