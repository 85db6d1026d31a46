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
 * True when `info` starts with `keyName` followed by a 128-bit tag length and a 12-byte IV
 * length: the EDK claims to be this key's, as the AWS Encryption SDK decides it (by prefix, so a
 * longer name that this one prefixes is not matched). The rest is checked by `readAesIv`.
 */
export function namesAesKey(info: Uint8Array, keyName: Uint8Array): boolean {
  if (info.length < keyName.length + 8) return false;
  const bytes = Buffer.from(info.buffer, info.byteOffset, info.length);
  return (
    bytes.subarray(0, keyName.length).equals(keyName) &&
    bytes.readUInt32BE(keyName.length) === AES_TAG_BYTES * 8 &&
    bytes.readUInt32BE(keyName.length + 4) === AES_IV_BYTES
  );
}

/**
 * The IV of provider info that `namesAesKey` accepted, or `undefined` when the IV is not
 * exactly 12 bytes (the EDK names this key but is malformed).
 */
export function readAesIv(info: Uint8Array, keyName: Uint8Array): Uint8Array | undefined {
  if (info.length !== keyName.length + AES_INFO_SUFFIX_BYTES) return undefined;
  return info.subarray(keyName.length + 8);
}
