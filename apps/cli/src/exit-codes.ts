import { ErrorCodes, type PolykmsError, isPolykmsError, recipientFailuresOf } from '@polykms/envelope';
import { ProviderNotInstalledError } from '@polykms/key-uri';

/** The process exit codes, one per kind of failure a script may want to branch on. */
export const ExitCode = {
  Ok: 0,
  /** Anything not listed below: a bug or an unexpected condition. */
  Generic: 1,
  /** Bad command line or argument: unknown option, malformed key URI or context pair. */
  Usage: 2,
  /** The message is not authentic: tampered, truncated, or a wrapped data key that does not open. */
  DecryptFailed: 3,
  /** No key could open the message, or the KMS refused: key not found, disabled, access denied. */
  NoKey: 4,
  /** The message is bound to an encryption context other than the one expected; or a keyset is another dataset's or stale. */
  ContextMismatch: 5,
  /** The input is not a polykms/ESDK message, or exceeds a limit. */
  MalformedInput: 6,
  /** A KMS is unreachable, throttling or timing out (retryable), or its provider package is missing. */
  ProviderUnavailable: 7,
  /** A file could not be read or written: missing input, existing output, permissions; a keyset write lost a race or found the lock held. */
  Io: 8,
  /** `migrate` finished but some files failed (the summary lists them). */
  PartialFailure: 9,
  /** Interrupted (Ctrl-C) or cancelled. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const byErrorCode: Partial<Record<string, ExitCodeValue>> = {
  [ErrorCodes.InvalidArgument]: ExitCode.Usage,
  [ErrorCodes.DecryptionFailed]: ExitCode.DecryptFailed,
  [ErrorCodes.InvalidCiphertext]: ExitCode.DecryptFailed,
  [ErrorCodes.CommitmentPolicy]: ExitCode.DecryptFailed,
  [ErrorCodes.NoDecryptableKey]: ExitCode.NoKey,
  [ErrorCodes.AccessDenied]: ExitCode.NoKey,
  [ErrorCodes.KeyNotFound]: ExitCode.NoKey,
  [ErrorCodes.KeyDisabled]: ExitCode.NoKey,
  [ErrorCodes.RecipientsUnavailable]: ExitCode.ProviderUnavailable,
  [ErrorCodes.ContextMismatch]: ExitCode.ContextMismatch,
  [ErrorCodes.MalformedMessage]: ExitCode.MalformedInput,
  [ErrorCodes.LimitExceeded]: ExitCode.MalformedInput,
  [ErrorCodes.Unavailable]: ExitCode.ProviderUnavailable,
  [ErrorCodes.Throttled]: ExitCode.ProviderUnavailable,
  [ErrorCodes.Timeout]: ExitCode.ProviderUnavailable,
  [ErrorCodes.ProviderFailure]: ExitCode.ProviderUnavailable,
  [ErrorCodes.Cancelled]: ExitCode.Interrupted,
  [ErrorCodes.KeysetMismatch]: ExitCode.ContextMismatch,
  [ErrorCodes.StaleKeyset]: ExitCode.ContextMismatch,
  [ErrorCodes.KeyVersionNotFound]: ExitCode.NoKey,
  [ErrorCodes.KeysetConflict]: ExitCode.Io,
  [ErrorCodes.KeysetLocked]: ExitCode.Io,
};

/**
 * When no key opened the message, the reason is in the failures: all retryable means the
 * KMSs were down (try again later), any tampered data key means the message is not authentic.
 */
function noKeyExitCode(error: PolykmsError): ExitCodeValue {
  const failures = recipientFailuresOf(error);
  const codes = failures.map((f) => f.error.code);
  if (codes.length > 0 && failures.every((f) => f.error.retryable)) return ExitCode.ProviderUnavailable;
  if (codes.some((c) => c === ErrorCodes.InvalidCiphertext || c === ErrorCodes.DecryptionFailed))
    return ExitCode.DecryptFailed;
  return ExitCode.NoKey;
}

const ioErrnos = new Set([
  'EPIPE',
  'ENOENT',
  'EEXIST',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'ENOSPC',
  'EFBIG',
  'EDQUOT',
  'EROFS',
  'EBUSY',
  'ENAMETOOLONG',
]);

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof ProviderNotInstalledError) return ExitCode.ProviderUnavailable;
  if (isPolykmsError(error, ErrorCodes.NoDecryptableKey)) return noKeyExitCode(error);
  if (isPolykmsError(error)) return byErrorCode[error.code] ?? ExitCode.Generic;
  const errno = (error as { code?: unknown } | undefined)?.code;
  if (typeof errno === 'string' && ioErrnos.has(errno)) return ExitCode.Io;
  return ExitCode.Generic;
}
