/** Every field of an EDK is prefixed by a u16 length. */
export const MAX_EDK_FIELD_LENGTH = 0xffff;

/** Default cap on the number of EDKs read from one message (the format allows 65,535). */
export const DEFAULT_MAX_ENCRYPTED_DATA_KEYS = 32;

/** Default cap on the total header size read from one message. */
export const DEFAULT_MAX_HEADER_BYTES = 1 << 20;

/**
 * Default cap on the frames decrypted from one message. Each frame costs a cipher setup and a tag
 * check whatever its length: a message of 1-byte frames costs some 50 times the CPU per byte of
 * one with 64 KiB frames. 2^24 frames is 1 TiB at 64 KiB frames, 64 GiB at the other ESDKs'
 * default of 4 KiB, and about 550 MB of input (seconds to minutes of CPU) at 1-byte frames.
 */
export const DEFAULT_MAX_FRAMES = 2 ** 24;

/** The body of a framed message has at most 2^32 - 1 frames. */
export const MAX_FRAME_COUNT = 0xffff_ffff;

/** Largest frame length the format can express. */
export const MAX_FRAME_LENGTH = 0xffff_ffff;

/** Largest body a non-framed (v1) message may carry, per the format: 2^36 - 32 bytes. */
export const MAX_NON_FRAMED_CONTENT_LENGTH = 2 ** 36 - 32;
