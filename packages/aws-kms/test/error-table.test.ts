import { ErrorCodes, KmsError } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { mapAwsKmsError } from '../src/error-table.js';

const keyId = 'arn:aws:kms:us-east-1:111122223333:key/abc';
const sdkError = (name: string, status?: number) =>
  Object.assign(new Error('raw KMS text'), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });

describe('AWS KMS error table', () => {
  it.each([
    ['AccessDeniedException', 400, ErrorCodes.AccessDenied, false],
    ['NotFoundException', 404, ErrorCodes.KeyNotFound, false],
    ['DisabledException', 409, ErrorCodes.KeyDisabled, false],
    ['KMSInvalidStateException', 409, ErrorCodes.KeyDisabled, false],
    ['InvalidCiphertextException', 400, ErrorCodes.InvalidCiphertext, false],
    ['IncorrectKeyException', 400, ErrorCodes.InvalidCiphertext, false],
    ['ThrottlingException', 400, ErrorCodes.Throttled, true],
    ['KMSInternalException', 500, ErrorCodes.Unavailable, true],
    ['DependencyTimeoutException', 503, ErrorCodes.Unavailable, true],
    ['SomethingNew', 502, ErrorCodes.Unavailable, true],
    ['SomethingNew', 429, ErrorCodes.Throttled, true],
    ['ValidationException', 400, ErrorCodes.ProviderFailure, false],
  ])('maps %s (%i) to %s', (name, status, code, retryable) => {
    const cause = sdkError(name, status);
    const mapped = mapAwsKmsError(cause, { operation: 'Decrypt', keyId });
    expect(mapped).toBeInstanceOf(KmsError);
    expect(mapped).toMatchObject({ code, retryable, provider: 'aws-kms', keyId, cause });
    expect(mapped.message).not.toContain('raw KMS text');
  });

  it.each([
    ['UnrecognizedClientException', 400],
    ['InvalidSignatureException', 400],
    ['ExpiredTokenException', 400],
    ['CredentialsProviderError', undefined],
  ])('maps the credential failure %s to ERR_ACCESS_DENIED, saying it is the credentials', (name, status) => {
    const mapped = mapAwsKmsError(sdkError(name, status), { operation: 'Decrypt', keyId });
    expect(mapped).toMatchObject({ code: ErrorCodes.AccessDenied, retryable: false });
    expect(mapped.message).toContain('did not accept the credentials');
    expect(mapped.message).not.toContain('kms:Decrypt');
  });

  it('maps a refused or reset connection to ERR_UNAVAILABLE', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET']) {
      const mapped = mapAwsKmsError(Object.assign(new Error('socket'), { code }), {
        operation: 'Encrypt',
        keyId,
      });
      expect(mapped.code).toBe(ErrorCodes.Unavailable);
    }
  });

  it('names the missing IAM permission of each operation and the key in access-denied errors', () => {
    for (const [operation, permission] of [
      ['Decrypt', 'kms:Decrypt'],
      ['GenerateDataKey', 'kms:GenerateDataKey'],
      ['Encrypt', 'kms:Encrypt'],
    ] as const) {
      const mapped = mapAwsKmsError(sdkError('AccessDeniedException', 400), { operation, keyId });
      expect(mapped.message).toContain(permission);
      expect(mapped.message).toContain(keyId);
    }
  });
});
