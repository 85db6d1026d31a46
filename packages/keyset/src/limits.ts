/** A keyset id: 128 random bits, written as 32 lowercase hex digits. */
export const KEYSET_ID_BYTES = 16;

/** Every version key is an AES-256 key: 256 random bits. */
export const VERSION_KEY_BYTES = 32;

/**
 * Most versions one keyset may hold. Bounds the serialized keyset (45 bytes a version) and the
 * versions summary in its encryption context (≤ 20 bytes a version, far under 65,535).
 */
export const MAX_KEYSET_VERSIONS = 1024;

/** Version numbers are u32s in the keyset plaintext and in every EDK. */
export const MAX_VERSION_NUMBER = 0xffff_ffff;

/** The generation is a u32: a keyset may be rewritten 4,294,967,294 times. */
export const MAX_GENERATION = 0xffff_ffff;

/** Largest keyset message read or opened: the plaintext is ≤ 46 KiB, the header ≤ 32 EDKs. */
export const MAX_KEYSET_MESSAGE_BYTES = 1 << 20;
