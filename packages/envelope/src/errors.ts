/**
 * One error hierarchy for the whole repository. Callers branch on `code`, never on message text.
 * No message ever contains plaintext, a data key or key material; decryption failures are
 * deliberately vague so that an attacker learns nothing from them.
 */
export const ErrorCodes = {
  /** The message failed authentication (tag, commitment or signature), or could not be opened. */
  DecryptionFailed: 'ERR_DECRYPTION_FAILED',
  /** The bytes are not a well-formed message. */
  MalformedMessage: 'ERR_MALFORMED_MESSAGE',
  /** A length, count or size in the input exceeds a configured bound. */
  LimitExceeded: 'ERR_LIMIT_EXCEEDED',
  /** The message's algorithm suite is not allowed by the commitment policy. */
  CommitmentPolicy: 'ERR_COMMITMENT_POLICY',
  /** The encryption context does not match what the caller required. */
  ContextMismatch: 'ERR_CONTEXT_MISMATCH',
  /** A caller passed a bad argument or configuration; the message says what to fix. */
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  /** No keyring could open any encrypted data key of the message. */
  NoDecryptableKey: 'ERR_NO_DECRYPTABLE_KEY',
  /** Fewer recipients than required wrapped the data key. */
  RecipientsUnavailable: 'ERR_RECIPIENTS_UNAVAILABLE',
  /** A keyring broke the keyring contract (a bug in the keyring, not in the caller's data). */
  KeyringContract: 'ERR_KEYRING_CONTRACT',
  /** The operation is valid but not supported here (for example rewrapping a signed message). */
  Unsupported: 'ERR_UNSUPPORTED',
  // Keysets (@polykms/keyset).
  /** The keyset is not the one expected (another dataset's), or its content contradicts its context. */
  KeysetMismatch: 'ERR_KEYSET_MISMATCH',
  /** The keyset's generation is older than the caller's `minGeneration`: a stale copy. */
  StaleKeyset: 'ERR_STALE_KEYSET',
  /** A keyset write lost a race: the generation it replaces is no longer the stored one. */
  KeysetConflict: 'ERR_KEYSET_CONFLICT',
  /** Another writer holds the keyset file's lock. */
  KeysetLocked: 'ERR_KEYSET_LOCKED',
  /** The keyset was closed (its keys zeroed); open it again. */
  KeysetClosed: 'ERR_KEYSET_CLOSED',
  /** An EDK names a keyset version this keyset does not hold. */
  KeyVersionNotFound: 'ERR_KEY_VERSION_NOT_FOUND',
  // Provider errors, mapped per provider by a table.
  AccessDenied: 'ERR_ACCESS_DENIED',
  KeyNotFound: 'ERR_KEY_NOT_FOUND',
  KeyDisabled: 'ERR_KEY_DISABLED',
  InvalidCiphertext: 'ERR_INVALID_CIPHERTEXT',
  Throttled: 'ERR_THROTTLED',
  Unavailable: 'ERR_UNAVAILABLE',
  Timeout: 'ERR_TIMEOUT',
  Cancelled: 'ERR_CANCELLED',
  /** A provider failed in a way that maps to no other code. */
  ProviderFailure: 'ERR_PROVIDER_FAILURE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface PolykmsErrorOptions {
  readonly retryable?: boolean;
  /** Provider id such as `aws-kms`, `gcp-kms`, `azure-kv`, or a raw key namespace. */
  readonly provider?: string;
  /** The key (ARN, resource name, key id URL or key name): never key material. */
  readonly keyId?: string;
  readonly cause?: unknown;
}

/**
 * Marks every PolykmsError, whichever copy of this package made it. An application may load two
 * copies (a bundled CLI and the plug-in it imports, two versions in node_modules); `instanceof`
 * compares classes, which differ per copy, so the checks below compare this registry-wide symbol
 * instead: `Symbol.for` returns the same symbol to every copy in the process.
 */
const polykmsErrorBrand = Symbol.for('polykms.error');

function isBranded(value: unknown): value is PolykmsError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [polykmsErrorBrand]?: unknown })[polykmsErrorBrand] === true
  );
}

/** Whether a constructor named `name` is on `value`'s prototype chain (the class or a superclass). */
function hasClassNamed(value: object, name: string): boolean {
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'constructor') && (proto.constructor as { name?: unknown }).name === name)
      return true;
  }
  return false;
}

export class PolykmsError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly provider: string | undefined;
  readonly keyId: string | undefined;

  constructor(code: ErrorCode, message: string, options: PolykmsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.provider = options.provider;
    this.keyId = options.keyId;
  }
}

// On the prototype, not the instance: invisible to JSON, Object.keys and snapshots.
Object.defineProperty(PolykmsError.prototype, polykmsErrorBrand, { value: true });

/**
 * `error instanceof PolykmsError` is true for an error from any copy of this package. For a
 * subclass (`instanceof NoDecryptableKeyError`), true for an error of that class or one extending
 * it, from any copy: matched by class name within the branded hierarchy. Code that decides
 * behaviour should still prefer `isPolykmsError(error, code)`.
 */
Object.defineProperty(PolykmsError, Symbol.hasInstance, {
  value: function hasInstance(this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    if (!isBranded(value)) return false;
    if (this === PolykmsError) return true;
    return Function.prototype[Symbol.hasInstance].call(this, value) || hasClassNamed(value, this.name);
  },
});

/** Fixed message: says nothing about which check failed. */
export class DecryptionFailedError extends PolykmsError {
  constructor(options: PolykmsErrorOptions = {}) {
    super(ErrorCodes.DecryptionFailed, 'decryption failed: the message is not authentic', options);
  }
}

export class MalformedMessageError extends PolykmsError {
  constructor(message: string, options: PolykmsErrorOptions = {}) {
    super(ErrorCodes.MalformedMessage, `malformed message: ${message}`, options);
  }
}

export class LimitExceededError extends PolykmsError {
  constructor(message: string, options: PolykmsErrorOptions = {}) {
    super(ErrorCodes.LimitExceeded, message, options);
  }
}

export class CommitmentPolicyError extends PolykmsError {
  constructor(message: string) {
    super(ErrorCodes.CommitmentPolicy, message);
  }
}

export class ContextMismatchError extends PolykmsError {
  constructor(message: string) {
    super(ErrorCodes.ContextMismatch, message);
  }
}

export class InvalidArgumentError extends PolykmsError {
  constructor(message: string, options: PolykmsErrorOptions = {}) {
    super(ErrorCodes.InvalidArgument, message, options);
  }
}

/**
 * A rewrap by re-encryption would keep recipients it has no keyring to wrap the new data key for
 * (a raw key not supplied, a key from another team). `recipients` names each by its provider and
 * key name, as the header states them: never key material.
 */
export class UnwrappableRecipientsError extends InvalidArgumentError {
  readonly recipients: readonly string[];

  constructor(recipients: readonly string[]) {
    super(
      `re-encryption must wrap the new data key for every recipient it keeps, and has no keyring for ` +
        `${recipients.join(', ')}: supply those keys, or remove those recipients`,
    );
    this.recipients = recipients;
  }
}

export class UnsupportedError extends PolykmsError {
  constructor(message: string, options: PolykmsErrorOptions = {}) {
    super(ErrorCodes.Unsupported, message, options);
  }
}

export class KeyringContractError extends PolykmsError {
  constructor(message: string) {
    super(ErrorCodes.KeyringContract, `keyring contract violated: ${message}`);
  }
}

/**
 * A keyset failed one of its checks: `ERR_KEYSET_MISMATCH`, `ERR_STALE_KEYSET`,
 * `ERR_KEYSET_CONFLICT` and `ERR_KEYSET_LOCKED` (both retryable: read the keyset again and redo the
 * change), `ERR_KEYSET_CLOSED` or `ERR_KEY_VERSION_NOT_FOUND`.
 */
export class KeysetError extends PolykmsError {
  constructor(
    code:
      | typeof ErrorCodes.KeysetMismatch
      | typeof ErrorCodes.StaleKeyset
      | typeof ErrorCodes.KeysetConflict
      | typeof ErrorCodes.KeysetLocked
      | typeof ErrorCodes.KeysetClosed
      | typeof ErrorCodes.KeyVersionNotFound,
    message: string,
    options: PolykmsErrorOptions = {},
  ) {
    const retryable = code === ErrorCodes.KeysetConflict || code === ErrorCodes.KeysetLocked;
    super(code, message, { retryable, ...options });
  }
}

/** Why one recipient (a keyring, or one EDK of it) could not be used. */
export interface RecipientFailure {
  /** The keyring's description, e.g. `aws-kms arn:aws:kms:…:key/…`. */
  readonly recipient: string;
  readonly error: PolykmsError;
}

function describeFailures(failures: readonly RecipientFailure[]): string {
  return failures.map((f) => `${f.recipient}: ${f.error.code} ${f.error.message}`).join('; ');
}

export class NoDecryptableKeyError extends PolykmsError {
  readonly failures: readonly RecipientFailure[];

  constructor(failures: readonly RecipientFailure[], message = 'no keyring could decrypt any data key') {
    super(
      ErrorCodes.NoDecryptableKey,
      failures.length ? `${message} (${describeFailures(failures)})` : message,
      {
        retryable: failures.length > 0 && failures.every((f) => f.error.retryable),
      },
    );
    this.failures = failures;
  }
}

/**
 * The per-recipient failures inside an `ERR_NO_DECRYPTABLE_KEY` or `ERR_RECIPIENTS_UNAVAILABLE`
 * error (from any copy of this package), otherwise none. Reads the code, not the class.
 */
export function recipientFailuresOf(error: unknown): readonly RecipientFailure[] {
  if (
    !isPolykmsError(error, ErrorCodes.NoDecryptableKey) &&
    !isPolykmsError(error, ErrorCodes.RecipientsUnavailable)
  )
    return [];
  const failures = (error as { failures?: unknown }).failures;
  return Array.isArray(failures) ? failures : [];
}

export class RecipientsUnavailableError extends PolykmsError {
  readonly failures: readonly RecipientFailure[];

  constructor(failures: readonly RecipientFailure[], message: string) {
    super(ErrorCodes.RecipientsUnavailable, `${message} (${describeFailures(failures)})`, {
      retryable: failures.every((f) => f.error.retryable),
    });
    this.failures = failures;
  }
}

export type KmsErrorCode =
  | typeof ErrorCodes.AccessDenied
  | typeof ErrorCodes.KeyNotFound
  | typeof ErrorCodes.KeyDisabled
  | typeof ErrorCodes.InvalidCiphertext
  | typeof ErrorCodes.Throttled
  | typeof ErrorCodes.Unavailable
  | typeof ErrorCodes.Timeout
  | typeof ErrorCodes.Cancelled
  | typeof ErrorCodes.ProviderFailure;

const retryableKmsCodes: ReadonlySet<KmsErrorCode> = new Set([
  ErrorCodes.Throttled,
  ErrorCodes.Unavailable,
  ErrorCodes.Timeout,
]);

export interface KmsErrorOptions {
  readonly code: KmsErrorCode;
  readonly provider: string;
  readonly keyId?: string;
  /** The KMS operation, e.g. `Decrypt` or `unwrapKey`. */
  readonly operation: string;
  /** Extra advice for the user, e.g. the permission that is missing. Must contain no secrets. */
  readonly detail?: string;
  readonly cause?: unknown;
}

/** A KMS call failed. Built by each provider's error table; the SDK error stays reachable as `cause`. */
export class KmsError extends PolykmsError {
  readonly operation: string;

  constructor(options: KmsErrorOptions) {
    const subject = options.keyId ? ` with key ${options.keyId}` : '';
    const detail = options.detail ? `: ${options.detail}` : '';
    super(
      options.code,
      `${options.provider} ${options.operation}${subject} failed (${options.code})${detail}`,
      {
        retryable: retryableKmsCodes.has(options.code),
        provider: options.provider,
        ...(options.keyId === undefined ? {} : { keyId: options.keyId }),
        cause: options.cause,
      },
    );
    this.operation = options.operation;
  }
}

/**
 * Whether `error` is a PolykmsError (from this or any other copy of @polykms/envelope), with
 * `code` when given. Branch on the code rather than the subclass.
 */
export function isPolykmsError(error: unknown, code?: ErrorCode): error is PolykmsError {
  return isBranded(error) && (code === undefined || error.code === code);
}
