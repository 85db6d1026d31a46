/** The encryption context: a string map bound to every message. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Keys with this prefix are reserved for the format itself; callers may not set them. */
export const RESERVED_CONTEXT_PREFIX = 'aws-crypto-';

/** The context key under which signed suites store the verification key. */
export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';
