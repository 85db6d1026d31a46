import { isPolykmsError, type PolykmsError } from '@polykms/envelope';
import { CliError } from '../cli-error.js';
import { redactCredentials } from '../io/redact.js';
import { inUserWords } from '../io/user-wording.js';

/** Why one recipient could not open or wrap the data key of a file. */
export interface RecipientError {
  readonly recipient: string;
  readonly code: string;
}

/** One file that failed, as the summary and the `--json` record show it. */
export interface FileFailure {
  readonly file: string;
  /** The `PolykmsError` code, `ERR_REFUSED` for a file the CLI refused, or the system error code. */
  readonly code: string;
  readonly error: string;
  /** The key the failure is about, when the error names one. */
  readonly key?: string | undefined;
  /** Each recipient's failure, when no key could open (or wrap) the data key. */
  readonly recipients?: readonly RecipientError[] | undefined;
  /** The error can go away on its own (throttling, an outage): a re-run may succeed. */
  readonly retryable: boolean;
}

function recipientErrorsOf(error: PolykmsError): RecipientError[] | undefined {
  const failures = (error as { failures?: readonly { recipient: string; error: PolykmsError }[] }).failures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  return failures.map((f) => ({ recipient: redactCredentials(f.recipient), code: f.error.code }));
}

/** The failure record of `file`; error messages never carry plaintext or key material. */
export function fileFailure(file: string, error: unknown): FileFailure {
  const message = inUserWords(redactCredentials(error instanceof Error ? error.message : String(error)));
  if (isPolykmsError(error)) {
    return {
      file,
      code: error.code,
      error: message,
      key: error.keyId === undefined ? undefined : redactCredentials(error.keyId),
      recipients: recipientErrorsOf(error),
      retryable: error.retryable,
    };
  }
  const code =
    error instanceof CliError ? 'ERR_REFUSED' : ((error as { code?: string }).code ?? 'ERR_UNEXPECTED');
  return { file, code, error: message, retryable: false };
}
