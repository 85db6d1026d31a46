/**
 * An error the AWS front end answers with: `{"__type": name, "message": …}` and the HTTP status the
 * current KMS model declares for it (the SDK classifies by `__type`, but retries by status).
 */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

const validationPrefix = '1 validation error detected: ';

export const awsErrors = {
  validation: (detail: string) => new AwsServiceError('ValidationException', 400, validationPrefix + detail),
  /** A field the model requires is absent. `field` is spelled as AWS spells it in messages (camelCase). */
  missing: (field: string) =>
    new AwsServiceError(
      'ValidationException',
      400,
      `${validationPrefix}Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    ),
  tooShort: (field: string, min: number) =>
    new AwsServiceError(
      'ValidationException',
      400,
      `${validationPrefix}Value at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
    ),
  tooLong: (field: string, max: number) =>
    new AwsServiceError(
      'ValidationException',
      400,
      `${validationPrefix}Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    ),
  serialization: (message: string) => new AwsServiceError('SerializationException', 400, message),
  unknownOperation: (target: string) =>
    new AwsServiceError(
      'UnknownOperationException',
      400,
      `Unknown operation: the X-Amz-Target '${target.slice(0, 100)}' names no AWS KMS operation (expected TrentService.<Operation>)`,
    ),
  /** A real KMS operation the emulator does not serve: said plainly, so nobody takes it for a bug of theirs. */
  notServed: (operation: string) =>
    new AwsServiceError(
      'UnsupportedOperationException',
      400,
      `The polykms emulator does not serve kms:${operation}; see the coverage table in @polykms/emulator's README`,
    ),
  invalidMarker: () =>
    new AwsServiceError(
      'InvalidMarkerException',
      400,
      'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
    ),
  notFound: (message: string) => new AwsServiceError('NotFoundException', 404, message),
  keyNotFound: (arn: string) => new AwsServiceError('NotFoundException', 404, `Key '${arn}' does not exist`),
  disabled: (arn: string) => new AwsServiceError('DisabledException', 409, `${arn} is disabled.`),
  invalidState: (message: string) => new AwsServiceError('KMSInvalidStateException', 409, message),
  alreadyExists: (message: string) => new AwsServiceError('AlreadyExistsException', 409, message),
  invalidAliasName: (message: string) => new AwsServiceError('InvalidAliasNameException', 400, message),
  // Real KMS says nothing about why a ciphertext did not open.
  invalidCiphertext: () => new AwsServiceError('InvalidCiphertextException', 400, ''),
  incorrectKey: () =>
    new AwsServiceError(
      'IncorrectKeyException',
      400,
      'The key ID in the request does not identify a CMK that can perform this operation.',
    ),
  invalidKeyUsage: (message: string) => new AwsServiceError('InvalidKeyUsageException', 400, message),
  invalidArgument: (message: string) => new AwsServiceError('InvalidArgumentException', 400, message),
  unsupported: (message: string) => new AwsServiceError('UnsupportedOperationException', 400, message),
  accessDenied: (message: string) => new AwsServiceError('AccessDeniedException', 400, message),
  invisibleCiphertextKey: () =>
    new AwsServiceError(
      'AccessDeniedException',
      400,
      'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
    ),
  throttling: () => new AwsServiceError('ThrottlingException', 400, 'Rate exceeded'),
  // DependencyTimeoutException is the 503 the KMS model declares, so the SDK retries it as transient.
  unavailable: () =>
    new AwsServiceError(
      'DependencyTimeoutException',
      503,
      'The system timed out while trying to fulfill the request. The request can be retried.',
    ),
  tooLarge: () => new AwsServiceError('RequestEntityTooLargeException', 413, 'Request body too large'),
  internal: () => new AwsServiceError('KMSInternalException', 500, 'An internal error occurred'),
};
