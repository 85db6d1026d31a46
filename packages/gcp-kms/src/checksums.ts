import { crc32c } from '@node-rs/crc32';

/** The `google.protobuf.Int64Value` the client sends for a CRC32C field. */
export function crc32cValue(data: Uint8Array): { value: number } {
  return { value: crc32c(data) };
}

/** Whether a response checksum (`{value: '123'}` as the client decodes Int64Value) matches the data. */
export function crc32cMatches(data: Uint8Array, checksum: { value?: unknown } | null | undefined): boolean {
  if (checksum === null || checksum === undefined) return false;
  return String(checksum.value) === String(crc32c(data));
}
