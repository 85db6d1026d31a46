import { type KmsErrorCode, KmsError, type PolykmsError } from '@polykms/envelope/driver';
import type { ServiceErrorName } from './service-errors.js';

export const PROVIDER_ID = 'in-memory-kms';

/** The service's error names onto polykms codes; anything unknown is a provider failure. */
const table: Record<ServiceErrorName, { code: KmsErrorCode; detail?: string }> = {
  AccessDeniedException: {
    code: 'ERR_ACCESS_DENIED',
    detail: 'the credential lacks the permission for this operation on this key',
  },
  NotFoundException: { code: 'ERR_KEY_NOT_FOUND', detail: 'check the key id and the account' },
  DisabledException: { code: 'ERR_KEY_DISABLED', detail: 'enable the key to use it' },
  InvalidCiphertextException: { code: 'ERR_INVALID_CIPHERTEXT' },
  ThrottlingException: { code: 'ERR_THROTTLED', detail: 'retry later with backoff' },
  ServiceUnavailableException: { code: 'ERR_UNAVAILABLE', detail: 'retry later' },
};

export function mapServiceError(
  error: unknown,
  context: { operation: string; keyId: string | undefined },
): PolykmsError {
  const name = error instanceof Error ? error.name : '';
  const entry = Object.hasOwn(table, name)
    ? table[name as ServiceErrorName]
    : { code: 'ERR_PROVIDER_FAILURE' as const };
  return new KmsError({
    code: entry.code,
    provider: PROVIDER_ID,
    operation: context.operation,
    keyId: context.keyId,
    ...(entry.detail === undefined ? {} : { detail: entry.detail }),
    cause: error,
  });
}
