/**
 * The provider info of a raw AES EDK, as the AWS Encryption SDK writes it:
 * key name ‖ u32 tag length in bits ‖ u32 IV length in bytes ‖ IV.
 */
export const AES_TAG_BYTES = 16;
export const AES_IV_BYTES = 12;
/** The two u32 fields and the IV that follow the key name. */
export const AES_INFO_SUFFIX_BYTES = 8 + AES_IV_BYTES;

export function writeAesProviderInfo(keyName: Uint8Array, iv: Uint8Array): Buffer {
  const info = Buffer.alloc(keyName.length + AES_INFO_SUFFIX_BYTES);
  info.set(keyName, 0);
  info.writeUInt32BE(AES_TAG_BYTES * 8, keyName.length);
  info.writeUInt32BE(AES_IV_BYTES, keyName.length + 4);
  info.set(iv, keyName.length + 8);
  return info;
}

/**
 * Returns the IV when `info` is exactly `keyName` followed by a 128-bit tag length, a 12-byte IV
 * length and the IV; otherwise `undefined` (the EDK belongs to another key, or is not one we write).
 */
export function readAesProviderInfo(info: Uint8Array, keyName: Uint8Array): Uint8Array | undefined {
  if (info.length !== keyName.length + AES_INFO_SUFFIX_BYTES) return undefined;
  const bytes = Buffer.from(info.buffer, info.byteOffset, info.length);
  if (!bytes.subarray(0, keyName.length).equals(keyName)) return undefined;
  if (bytes.readUInt32BE(keyName.length) !== AES_TAG_BYTES * 8) return undefined;
  if (bytes.readUInt32BE(keyName.length + 4) !== AES_IV_BYTES) return undefined;
  return bytes.subarray(keyName.length + 8);
}
