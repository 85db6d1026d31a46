/**
 * The toy service's own errors, shaped like a cloud SDK's: a `name` per failure and nothing
 * else. The adapter's error table (error-table.ts) turns them into polykms codes.
 */
export type ServiceErrorName =
  | 'AccessDeniedException'
  | 'NotFoundException'
  | 'DisabledException'
  | 'InvalidCiphertextException'
  | 'ThrottlingException'
  | 'ServiceUnavailableException';

export class ServiceError extends Error {
  override readonly name: ServiceErrorName;

  constructor(name: ServiceErrorName, message: string) {
    super(message);
    this.name = name;
  }
}
