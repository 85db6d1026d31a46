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
 * Node 20.11+/21.6+ refuse RSA PKCS#1 v1.5 private decryption (CVE-2023-46809, the Marvin attack)
 * unless the process runs with `--security-revert=CVE-2023-46809`; builds whose OpenSSL does
 * implicit rejection allow it again. This recognises the refusal.
 */
export function isPkcs1DecryptRefusal(error: unknown): boolean {
  return error instanceof Error && error.message.includes('CVE-2023-46809');
}
