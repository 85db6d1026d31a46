/** Every field of an EDK is prefixed by a u16 length. */
export const MAX_EDK_FIELD_LENGTH = 0xffff;

/** Default cap on the number of EDKs read from one message (the format allows 65,535). */
export const DEFAULT_MAX_ENCRYPTED_DATA_KEYS = 32;

/** Default cap on the total header size read from one message. */
export const DEFAULT_MAX_HEADER_BYTES = 1 << 20;

/** The body of a framed message has at most 2^32 - 1 frames. */
export const MAX_FRAME_COUNT = 0xffff_ffff;

/** Largest frame length the format can express. */
export const MAX_FRAME_LENGTH = 0xffff_ffff;

/** Largest body a non-framed (v1) message may carry, per the format: 2^36 - 32 bytes. */
export const MAX_NON_FRAMED_CONTENT_LENGTH = 2 ** 36 - 32;
