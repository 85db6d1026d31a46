import {
  ErrorCodes,
  KmsError,
  type KmsErrorCode,
  type PolykmsError,
  isNetworkErrorCode,
} from '@polykms/envelope/driver';
import { type AzureErrorSummary, summarizeAzureError } from './sdk-error-summary.js';

export const PROVIDER_ID = 'azure-kv';

/** The pipeline's own code for a request that could not be sent, besides Node's socket codes. */
const REQUEST_SEND_ERROR = 'REQUEST_SEND_ERROR';

function permissionAdvice(operation: string, keyId: string | undefined): string {
  return (
    `the caller lacks the Key Vault key permission '${operation}'${keyId ? ` on ${keyId}` : ''}: ` +
    `grant it in the vault's access policy, or assign the RBAC role "Key Vault Crypto User"`
  );
}

function codeFor(error: AzureErrorSummary, operation: string): { code: KmsErrorCode; detail?: string } {
  const status = error.statusCode;
  if (status === 403) {
    if (error.innerErrorCode === 'KeyDisabled') {
      return { code: ErrorCodes.KeyDisabled, detail: 'the key version is disabled' };
    }
    return { code: ErrorCodes.AccessDenied };
  }
  if (status === 401) return { code: ErrorCodes.AccessDenied, detail: 'the vault rejected the access token' };
  if (status === 404) return { code: ErrorCodes.KeyNotFound };
  if (status === 400 && operation === 'unwrapKey') return { code: ErrorCodes.InvalidCiphertext };
  if (status === 429) return { code: ErrorCodes.Throttled };
  if (status === 408 || (status !== undefined && status >= 500)) return { code: ErrorCodes.Unavailable };
  if (status === undefined && (isNetworkErrorCode(error.code) || error.code === REQUEST_SEND_ERROR)) {
    return { code: ErrorCodes.Unavailable, detail: `network error ${error.code}` };
  }
  if (error.name === 'AuthenticationError' || error.name === 'CredentialUnavailableError') {
    return { code: ErrorCodes.AccessDenied, detail: `no Azure credential could get a token (${error.name})` };
  }
  return { code: ErrorCodes.ProviderFailure, ...(status === undefined ? {} : { detail: `HTTP ${status}` }) };
}

/**
 * The Azure error table: RestError status (and inner error code) onto the common codes. The
 * service's message is not copied into ours. The cause is a summary of the SDK error, never the
 * SDK error itself: a RestError holds the request, and a wrapKey request body is the data key.
 */
export function mapAzureError(
  error: unknown,
  context: { operation: string; keyId: string | undefined },
): PolykmsError {
  const { operation, keyId } = context;
  const summary = summarizeAzureError(error);
  const { code, detail } = codeFor(summary, operation);
  return new KmsError({
    code,
    provider: PROVIDER_ID,
    operation,
    ...(keyId === undefined ? {} : { keyId }),
    ...(code === ErrorCodes.AccessDenied && detail === undefined
      ? { detail: permissionAdvice(operation, keyId) }
      : detail === undefined
        ? {}
        : { detail }),
    cause: summary,
  });
}
