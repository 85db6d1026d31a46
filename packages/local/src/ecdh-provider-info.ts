import { type EcdhCurveSpec, compressedPointBytes } from './ecdh-curve.js';

/** The provider id the ESDK's raw ECDH keyring writes. */
export const RAW_ECDH_PROVIDER_ID = 'raw-ecdh';
/**
 * The provider ids a raw ECDH keyring reads, as in the ESDK: the AWS KMS ECDH keyring writes the
 * same layout and derivation, so a local recipient key opens EDKs a KMS sender key made for it.
 */
export const ECDH_PROVIDER_IDS: readonly string[] = [RAW_ECDH_PROVIDER_ID, 'aws-kms-ecdh'];
/** The only version of the layout; it is also bound into the key derivation. */
export const ECDH_KEYRING_VERSION = 0x01;

const LENGTH_FIELD_BYTES = 4;

/**
 * version (1) ‖ u32 recipient key length ‖ recipient key ‖ u32 sender key length ‖ sender key, the
 * keys SEC 1 compressed: 75, 107 or 143 bytes for P-256, P-384 or P-521.
 */
export function ecdhProviderInfoBytes(spec: EcdhCurveSpec): number {
  return 1 + 2 * (LENGTH_FIELD_BYTES + compressedPointBytes(spec));
}

export interface EcdhParties {
  readonly sender: Buffer;
  readonly recipient: Buffer;
}

export function writeEcdhProviderInfo(parties: EcdhParties): Buffer {
  const { sender, recipient } = parties;
  const info = Buffer.alloc(1 + 2 * LENGTH_FIELD_BYTES + recipient.length + sender.length);
  let at = info.writeUInt8(ECDH_KEYRING_VERSION, 0);
  at = info.writeUInt32BE(recipient.length, at);
  at += recipient.copy(info, at);
  at = info.writeUInt32BE(sender.length, at);
  sender.copy(info, at);
  return info;
}

/**
 * The two public keys of provider info written for `spec`'s curve, or `undefined` when it is not
 * exactly that: its total length is checked first and each length field must equal the curve's
 * point size, so no length read from the EDK decides how much is read.
 */
export function readEcdhProviderInfo(info: Uint8Array, spec: EcdhCurveSpec): EcdhParties | undefined {
  if (info.length !== ecdhProviderInfoBytes(spec)) return undefined;
  const bytes = Buffer.from(info.buffer, info.byteOffset, info.length);
  const pointBytes = compressedPointBytes(spec);
  if (bytes.readUInt8(0) !== ECDH_KEYRING_VERSION) return undefined;
  const recipientAt = 1 + LENGTH_FIELD_BYTES;
  const senderLengthAt = recipientAt + pointBytes;
  if (bytes.readUInt32BE(1) !== pointBytes || bytes.readUInt32BE(senderLengthAt) !== pointBytes) {
    return undefined;
  }
  return {
    recipient: bytes.subarray(recipientAt, senderLengthAt),
    sender: bytes.subarray(senderLengthAt + LENGTH_FIELD_BYTES),
  };
}
