import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  DecryptionFailedError,
  MalformedMessageError,
  type PolykmsErrorOptions,
  zeroize,
} from '@polykms/envelope';
import { kdfCounterHmacSha384 } from './kdf-counter-hmac.js';

/** The random salt (the KDF's context) drawn for every wrap. */
export const ECDH_SALT_BYTES = 32;
/** Stored in the EDK and compared before any decryption: proves the derivation matched. */
export const ECDH_COMMITMENT_KEY_BYTES = 32;
const WRAPPING_KEY_BYTES = 32;
const TAG_BYTES = 16;
/**
 * The ESDK wraps with an all-zero IV. That is safe only because the AES key is never used twice:
 * see `sealDataKey`.
 */
const ZERO_IV = Buffer.alloc(12);

/** salt (32) ‖ commitment key (32) ‖ AES-256-GCM(data key) ‖ tag (16). */
export function ecdhCiphertextBytes(dataKeyBytes: number): number {
  return ECDH_SALT_BYTES + ECDH_COMMITMENT_KEY_BYTES + dataKeyBytes + TAG_BYTES;
}

/** 64 bytes: the commitment key, then the AES-256 wrapping key. The caller zeroes it. */
function deriveKeys(sharedSecret: Uint8Array, fixedInfo: Uint8Array, salt: Uint8Array): Buffer {
  return kdfCounterHmacSha384(sharedSecret, fixedInfo, salt, ECDH_COMMITMENT_KEY_BYTES + WRAPPING_KEY_BYTES);
}

/**
 * Wraps `dataKey` under a key derived from the ECDH shared secret, a fresh random salt and the
 * fixed info (which is also the AAD).
 *
 * Why the (key, IV) pair never repeats although the IV is always zero: the AES key is
 * KDF(shared secret, fixed info, salt) with a new 32-byte salt from the CSPRNG on every call, so
 * every EDK ever written has its own AES key, used for exactly one encryption. Nothing is
 * counted or stored, so retries (each one calls this again and draws a new salt), concurrent
 * writers and processes sharing a static key pair cannot collide except by drawing the same
 * 256-bit salt: below 2⁻¹²⁹ after 2⁶⁴ wraps under one key pair. Copies and rewrites do not
 * encrypt: `rewrap` copies EDKs byte for byte, and adding this recipient again wraps with a new
 * salt. With a static key pair the shared secret is the same for every message, so the salt is
 * the only thing that varies; with an ephemeral sender the shared secret varies too.
 */
export function sealDataKey(sharedSecret: Uint8Array, fixedInfo: Uint8Array, dataKey: Uint8Array): Buffer {
  const salt = randomBytes(ECDH_SALT_BYTES);
  const keys = deriveKeys(sharedSecret, fixedInfo, salt);
  try {
    const commitmentKey = keys.subarray(0, ECDH_COMMITMENT_KEY_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.subarray(ECDH_COMMITMENT_KEY_BYTES), ZERO_IV, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(fixedInfo);
    return Buffer.concat([salt, commitmentKey, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  } finally {
    zeroize(keys);
  }
}

/**
 * The data key of an EDK ciphertext of exactly `ecdhCiphertextBytes(dataKeyBytes)` bytes. The
 * commitment key is compared in constant time before anything is decrypted, and the data key is
 * released only once the GCM tag verifies.
 */
export function openDataKey(
  sharedSecret: Uint8Array,
  fixedInfo: Uint8Array,
  ciphertext: Uint8Array,
  dataKeyBytes: number,
  errorOptions: PolykmsErrorOptions,
): Buffer {
  const expected = ecdhCiphertextBytes(dataKeyBytes);
  if (ciphertext.length !== expected) {
    throw new MalformedMessageError(
      `the raw ECDH EDK's ciphertext is ${ciphertext.length} bytes; expected ${expected}`,
      errorOptions,
    );
  }
  const bytes = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length);
  const salt = bytes.subarray(0, ECDH_SALT_BYTES);
  const storedCommitment = bytes.subarray(ECDH_SALT_BYTES, ECDH_SALT_BYTES + ECDH_COMMITMENT_KEY_BYTES);
  const sealed = bytes.subarray(ECDH_SALT_BYTES + ECDH_COMMITMENT_KEY_BYTES, expected - TAG_BYTES);
  const tag = bytes.subarray(expected - TAG_BYTES);
  const keys = deriveKeys(sharedSecret, fixedInfo, salt);
  let head: Buffer | undefined;
  try {
    if (!timingSafeEqual(keys.subarray(0, ECDH_COMMITMENT_KEY_BYTES), storedCommitment)) {
      throw new DecryptionFailedError(errorOptions);
    }
    const decipher = createDecipheriv('aes-256-gcm', keys.subarray(ECDH_COMMITMENT_KEY_BYTES), ZERO_IV, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(fixedInfo);
    decipher.setAuthTag(tag);
    head = decipher.update(sealed);
    try {
      return Buffer.concat([head, decipher.final()]);
    } catch {
      throw new DecryptionFailedError(errorOptions);
    }
  } finally {
    zeroize(keys, head);
  }
}
