import { ErrorCodes, KmsError, type KmsErrorCode, type PolykmsError } from '@polykms/envelope/driver';

export const PROVIDER_ID = 'gcp-kms';

/** gRPC status codes (numeric, as the Google client surfaces them in `error.code`). */
const Status = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** The IAM permission each operation needs, named in access-denied errors. */
const permissionFor: Record<string, string> = {
  Encrypt: 'cloudkms.cryptoKeyVersions.useToEncrypt',
  Decrypt: 'cloudkms.cryptoKeyVersions.useToDecrypt',
};

function statusOf(error: unknown): { code: number | undefined; details: string } {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; details?: unknown; message?: unknown };
    const code = typeof e.code === 'number' ? e.code : undefined;
    const details =
      typeof e.details === 'string' ? e.details : typeof e.message === 'string' ? e.message : '';
    return { code, details };
  }
  return { code: undefined, details: '' };
}

/** The error table: a Google client error (gRPC status) onto the common codes. */
export function mapGcpError(
  error: unknown,
  context: { operation: string; keyId: string | undefined },
): PolykmsError {
  const { code, details } = statusOf(error);
  const key = context.keyId ?? 'the key';
  let mapped: KmsErrorCode = ErrorCodes.ProviderFailure;
  let detail = details;
  switch (code) {
    case Status.PERMISSION_DENIED:
      mapped = ErrorCodes.AccessDenied;
      detail = `the caller lacks IAM permission ${permissionFor[context.operation] ?? 'for this operation'} on ${key} (${details})`;
      break;
    case Status.UNAUTHENTICATED:
      mapped = ErrorCodes.AccessDenied;
      detail = `the credentials were rejected (${details})`;
      break;
    case Status.NOT_FOUND:
      mapped = ErrorCodes.KeyNotFound;
      break;
    case Status.FAILED_PRECONDITION:
      mapped = ErrorCodes.KeyDisabled;
      break;
    case Status.INVALID_ARGUMENT:
      // On Decrypt this is the service's answer to a ciphertext that does not open under this key
      // and AAD; on Encrypt it means a bad request (our bug or an oversize input), not bad data.
      mapped = context.operation === 'Decrypt' ? ErrorCodes.InvalidCiphertext : ErrorCodes.ProviderFailure;
      break;
    case Status.RESOURCE_EXHAUSTED:
      mapped = ErrorCodes.Throttled;
      break;
    case Status.UNAVAILABLE:
      mapped = ErrorCodes.Unavailable;
      break;
    case Status.DEADLINE_EXCEEDED:
      mapped = ErrorCodes.Timeout;
      break;
    case Status.CANCELLED:
      // The caller's own abort is classified before this table is consulted, so CANCELLED here
      // came from the server or a proxy: a transient failure, not a reason to stop trying other
      // recipients (ERR_CANCELLED ends a multi-keyring decrypt at once).
      mapped = ErrorCodes.Unavailable;
      break;
  }
  return new KmsError({
    code: mapped,
    provider: PROVIDER_ID,
    operation: context.operation,
    ...(context.keyId === undefined ? {} : { keyId: context.keyId }),
    ...(detail ? { detail } : {}),
    cause: error,
  });
}

/**
 * A CRC32C check failed: the request or the response was damaged in transit. Google's guidance
 * is to retry a limited number of times, so it is retryable ERR_UNAVAILABLE.
 */
export function integrityError(operation: string, keyId: string, what: string): KmsError {
  return new KmsError({
    code: ErrorCodes.Unavailable,
    provider: PROVIDER_ID,
    operation,
    keyId,
    detail: `${what} failed its CRC32C integrity check (damaged in transit); retry a limited number of times`,
  });
}
