/** The encryption context: a string map bound to every message. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Keys with this prefix are reserved for the format itself; callers may not set them. */
export const RESERVED_CONTEXT_PREFIX = 'aws-crypto-';

/** The context key under which signed suites store the verification key. */
export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';

/**
 * A message whose stored context has this key is not plain data (a keyset is one: `keyset/v1`).
 * Decrypt opens it only for a caller that expects the same pair in its `encryptionContext`, so a
 * keyset can never be decrypted as data by mistake (writing its version keys to a file), nor
 * rewrapped as a data message (two keysets at one generation).
 */
export const PURPOSE_CONTEXT_KEY = 'polykms:purpose';
