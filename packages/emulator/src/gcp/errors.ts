import { Metadata, type StatusObject, status } from '@grpc/grpc-js';

/** A failure answered with a gRPC status, as the real service would answer it. */
export class GcpStatusError extends Error {
  readonly code: status;

  constructor(code: status, message: string) {
    super(message);
    this.name = 'GcpStatusError';
    this.code = code;
  }

  toStatus(): StatusObject {
    return { code: this.code, details: this.message, metadata: new Metadata() };
  }
}

export const invalidArgument = (message: string) => new GcpStatusError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new GcpStatusError(status.NOT_FOUND, message);
export const alreadyExists = (message: string) => new GcpStatusError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string) =>
  new GcpStatusError(status.FAILED_PRECONDITION, message);
export const unimplemented = (message: string) => new GcpStatusError(status.UNIMPLEMENTED, message);
