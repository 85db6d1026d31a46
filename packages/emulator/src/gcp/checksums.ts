import { crc32c } from '@node-rs/crc32';
import { invalidArgument } from './errors.js';

/** `google.protobuf.Int64Value` as proto-loader decodes and encodes it (longs as strings). */
export interface Int64Value {
  readonly value: string;
}

export function checksumOf(data: Uint8Array): Int64Value {
  return { value: String(crc32c(data)) };
}

/**
 * Verifies an optional request checksum. Returns true when one was sent and matched (the
 * response's `verified_*` field), false when none was sent; a mismatch is INVALID_ARGUMENT.
 */
export function verifyRequestChecksum(
  data: Uint8Array,
  checksum: Int64Value | null | undefined,
  field: string,
): boolean {
  if (checksum === null || checksum === undefined) return false;
  if (String(crc32c(data)) !== String(checksum.value)) {
    throw invalidArgument(
      `The checksum in field ${field} did not match the data in field ${field.replace(/_crc32c$/, '')}.`,
    );
  }
  return true;
}
