import { type EncryptedDataKey, type EncryptionContext, serializeEncryptionContext } from '@polykms/envelope';
import { hkdf } from '@polykms/envelope/driver';
import { KEYSET_ID_BYTES } from './limits.js';

/** The provider id of every EDK a keyset wraps (FORMAT.md, "Encrypted data key"). */
export const KEYSET_PROVIDER_ID = 'polykms-keyset';

/** Provider info: keyset id (16) ‖ u8 layout (1) ‖ u32 version ‖ salt (32) ‖ IV (12). */
const EDK_LAYOUT = 1;
export const EDK_SALT_BYTES = 32;
export const EDK_IV_BYTES = 12;
export const EDK_TAG_BYTES = 16;
export const EDK_PROVIDER_INFO_BYTES = KEYSET_ID_BYTES + 1 + 4 + EDK_SALT_BYTES + EDK_IV_BYTES;
const WRAPPING_KEY_BYTES = 32;
const HKDF_LABEL = Buffer.from('polykms-keyset/v1 wrapping key', 'utf8');

export interface KeysetEdkInfo {
  readonly keysetId: Buffer;
  readonly version: number;
  readonly salt: Buffer;
  readonly iv: Buffer;
}

export function writeEdkProviderInfo(info: KeysetEdkInfo): Buffer {
  const out = Buffer.alloc(EDK_PROVIDER_INFO_BYTES);
  info.keysetId.copy(out, 0);
  out.writeUInt8(EDK_LAYOUT, KEYSET_ID_BYTES);
  out.writeUInt32BE(info.version, KEYSET_ID_BYTES + 1);
  info.salt.copy(out, KEYSET_ID_BYTES + 5);
  info.iv.copy(out, KEYSET_ID_BYTES + 5 + EDK_SALT_BYTES);
  return out;
}

/** True when the provider info starts with this keyset's id: the EDK is this keyset's to open. */
export function namesKeyset(providerInfo: Uint8Array, keysetId: Buffer): boolean {
  return (
    providerInfo.length >= KEYSET_ID_BYTES &&
    keysetId.equals(Buffer.from(providerInfo.buffer, providerInfo.byteOffset, KEYSET_ID_BYTES))
  );
}

/**
 * True when the header says `edk` was wrapped by the keyset `keysetId` (hex), under any version:
 * what a tool needs to tell data already under a keyset from data still under cloud keys.
 */
export function isKeysetEncryptedDataKey(edk: EncryptedDataKey, keysetId: string | Buffer): boolean {
  const id = typeof keysetId === 'string' ? Buffer.from(keysetId, 'hex') : keysetId;
  return edk.providerId === KEYSET_PROVIDER_ID && namesKeyset(edk.providerInfo, id);
}

/**
 * The version of keyset `keysetId` (hex) that wrapped `edk`, read from its provider info without a
 * key (so NOT authenticated: opening the message checks it); undefined for any other EDK.
 */
export function keysetEdkVersion(edk: EncryptedDataKey, keysetId: string | Buffer): number | undefined {
  if (!isKeysetEncryptedDataKey(edk, keysetId)) return undefined;
  return readEdkProviderInfo(edk.providerInfo)?.version;
}

/** The fields of provider info that `namesKeyset` accepted; `undefined` when its length or layout is wrong. */
export function readEdkProviderInfo(providerInfo: Uint8Array): KeysetEdkInfo | undefined {
  if (providerInfo.length !== EDK_PROVIDER_INFO_BYTES) return undefined;
  const bytes = Buffer.from(providerInfo.buffer, providerInfo.byteOffset, providerInfo.length);
  if (bytes.readUInt8(KEYSET_ID_BYTES) !== EDK_LAYOUT) return undefined;
  return {
    keysetId: bytes.subarray(0, KEYSET_ID_BYTES),
    version: bytes.readUInt32BE(KEYSET_ID_BYTES + 1),
    salt: bytes.subarray(KEYSET_ID_BYTES + 5, KEYSET_ID_BYTES + 5 + EDK_SALT_BYTES),
    iv: bytes.subarray(KEYSET_ID_BYTES + 5 + EDK_SALT_BYTES),
  };
}

/**
 * The one-EDK wrapping key: HKDF-SHA-256(IKM = version key, salt = the EDK's salt, info = label ‖
 * keyset id ‖ u32 version, L = 32). Every EDK draws its own 256-bit salt, so every EDK has its own
 * key and no key ever encrypts twice (FORMAT.md, "Why (key, IV) never repeats"). The caller zeroes it.
 * Computed by the envelope's one-shot HKDF (the same bytes as `hkdfSync`, which would first make a
 * KeyObject of the version key: twice the time of the rest of a wrap).
 */
export function deriveWrappingKey(versionKey: Uint8Array, info: KeysetEdkInfo): Buffer {
  const label = Buffer.alloc(HKDF_LABEL.length + KEYSET_ID_BYTES + 4);
  HKDF_LABEL.copy(label, 0);
  info.keysetId.copy(label, HKDF_LABEL.length);
  label.writeUInt32BE(info.version, HKDF_LABEL.length + KEYSET_ID_BYTES);
  return hkdf('sha256', versionKey, info.salt, label, WRAPPING_KEY_BYTES);
}

/** AES-GCM AAD: the whole provider info (keyset id, version, salt, IV) ‖ the serialized context. */
export function edkAad(providerInfo: Uint8Array, context: EncryptionContext): Buffer {
  return Buffer.concat([providerInfo, serializeEncryptionContext(context)]);
}
