import {
  ErrorCodes,
  KmsError,
  type KmsErrorCode,
  type PolykmsError,
  isNetworkErrorCode,
} from '@polykms/envelope/driver';
import { PROVIDER_ID } from './provider.js';

/** KMS error names (`__type`) → polykms codes. Anything unlisted falls back on the HTTP status. */
const codeByErrorName: Readonly<Record<string, KmsErrorCode>> = {
  AccessDeniedException: ErrorCodes.AccessDenied,
  NotFoundException: ErrorCodes.KeyNotFound,
  DisabledException: ErrorCodes.KeyDisabled,
  KMSInvalidStateException: ErrorCodes.KeyDisabled,
  InvalidCiphertextException: ErrorCodes.InvalidCiphertext,
  IncorrectKeyException: ErrorCodes.InvalidCiphertext,
  ThrottlingException: ErrorCodes.Throttled,
  // KMS answers LimitExceededException when a request-rate quota is exceeded.
  LimitExceededException: ErrorCodes.Throttled,
  KMSInternalException: ErrorCodes.Unavailable,
  DependencyTimeoutException: ErrorCodes.Unavailable,
  KeyUnavailableException: ErrorCodes.Unavailable,
  ServiceUnavailableException: ErrorCodes.Unavailable,
  InternalFailure: ErrorCodes.Unavailable,
  // The SDK's own names for a request that got no answer.
  TimeoutError: ErrorCodes.Unavailable,
  RequestTimeout: ErrorCodes.Unavailable,
};

/**
 * Answers to a request whose credentials AWS would not accept (or that the SDK could not find):
 * access denied, but not for want of a key permission, so the message says so.
 */
const credentialErrorNames = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

/** The IAM permission each keyring operation needs, named in access-denied errors. */
const permissionByOperation: Readonly<Record<string, string>> = {
  GenerateDataKey: 'kms:GenerateDataKey',
  Encrypt: 'kms:Encrypt',
  Decrypt: 'kms:Decrypt',
};

interface SdkErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function codeOf(error: unknown): KmsErrorCode {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const byName = typeof e.name === 'string' ? codeByErrorName[e.name] : undefined;
  if (byName) return byName;
  if (typeof e.name === 'string' && credentialErrorNames.has(e.name)) return ErrorCodes.AccessDenied;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    if (status === 429) return ErrorCodes.Throttled;
    if (status >= 500) return ErrorCodes.Unavailable;
    return ErrorCodes.ProviderFailure;
  }
  if (isNetworkErrorCode(e.code)) return ErrorCodes.Unavailable;
  return ErrorCodes.ProviderFailure;
}

function detailFor(code: KmsErrorCode, error: unknown, operation: string, keyId: string | undefined): string {
  const name = (error as SdkErrorLike | undefined)?.name;
  const kmsName = typeof name === 'string' ? name : 'unknown error';
  const key = keyId ?? 'the key';
  switch (code) {
    case ErrorCodes.AccessDenied:
      if (credentialErrorNames.has(kmsName)) {
        return `AWS did not accept the credentials (${kmsName}): check which credentials the SDK found, their expiry and the clock`;
      }
      return `the caller lacks ${permissionByOperation[operation] ?? `kms:${operation}`} on ${key} (KMS said ${kmsName})`;
    case ErrorCodes.KeyNotFound:
      return `${key} does not exist in that account and region (KMS said ${kmsName})`;
    case ErrorCodes.KeyDisabled:
      return `${key} is disabled or pending deletion (KMS said ${kmsName})`;
    case ErrorCodes.InvalidCiphertext:
      return `KMS could not open the encrypted data key: wrong key, changed encryption context or damaged ciphertext (KMS said ${kmsName})`;
    case ErrorCodes.Throttled:
      return `KMS throttled the request; retry with backoff (KMS said ${kmsName})`;
    case ErrorCodes.Unavailable:
      return `KMS was unreachable or failed; retry later (${kmsName})`;
    default:
      return `KMS said ${kmsName}`;
  }
}

/**
 * The AWS KMS error table: an SDK error → a typed polykms error with provider `aws-kms`, the key,
 * and the SDK error as `cause`. Only the error's name goes into the message: KMS messages are
 * free text, and ours must stay predictable and free of secrets.
 */
export function mapAwsKmsError(
  error: unknown,
  context: { operation: string; keyId: string | undefined },
): PolykmsError {
  const code = codeOf(error);
  return new KmsError({
    code,
    provider: PROVIDER_ID,
    operation: context.operation,
    keyId: context.keyId,
    detail: detailFor(code, error, context.operation, context.keyId),
    cause: error,
  });
}
