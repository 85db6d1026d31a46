import { constants } from 'node:crypto';

export type RsaPadding = 'oaep-sha1' | 'oaep-sha256' | 'oaep-sha384' | 'oaep-sha512' | 'pkcs1';

export const RSA_PADDINGS: readonly RsaPadding[] = [
  'oaep-sha1',
  'oaep-sha256',
  'oaep-sha384',
  'oaep-sha512',
  'pkcs1',
];

/** Node's options for one padding; OAEP uses MGF1 with the same hash, as the ESDK does. */
export function rsaPaddingOptions(padding: RsaPadding): { padding: number; oaepHash?: string } {
  if (padding === 'pkcs1') return { padding: constants.RSA_PKCS1_PADDING };
  return { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: padding.slice('oaep-'.length) };
}

/**
 * Node refuses RSA PKCS#1 v1.5 private decryption (CVE-2023-46809, the Marvin attack) when its
 * OpenSSL cannot do implicit rejection (some lines allow it again with
 * `--security-revert=CVE-2023-46809`; Node 24.21 decrypts it with no flag and rejects that one).
 * The refusal is an ERR_INVALID_ARG_VALUE recognised here by its text (the CVE id it names varies).
 */
export function isPkcs1DecryptRefusal(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.message.includes('RSA_PKCS1_PADDING is no longer supported') ||
      error.message.includes('CVE-2023-46809'))
  );
}
