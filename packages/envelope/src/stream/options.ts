import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import type { DecryptOptions, EncryptOptions } from '../message/options.js';
import type { EncryptedDataKey } from '../keyring/types.js';

/** What is known once the keyring has wrapped a stream's data key. */
export interface EncryptedHeaderInfo {
  readonly header: MessageHeader;
  /** Recipients a multi-keyring could not wrap for under a partial policy. */
  readonly missingRecipients: readonly RecipientFailure[];
}

export interface StreamEncryptOptions extends EncryptOptions {
  /**
   * The total plaintext length, when known in advance. Optional; a `CachingKeyring` needs it to
   * enforce its byte limit and does not cache the data key of a stream without it. When given, the
   * stream fails with ERR_INVALID_ARGUMENT if the plaintext turns out longer or shorter.
   */
  readonly plaintextLength?: number | undefined;
  /**
   * Called once the keyring has wrapped the data key, before the first message byte is produced
   * (every API; Node streams also emit `header`). A throw ends the stream with that error.
   */
  readonly onHeader?: ((info: EncryptedHeaderInfo) => void) | undefined;
}

/**
 * What streaming decrypt does with a signed message (suite 0x0578). Each frame is authenticated
 * by AES-GCM before it is released, which proves the frame was written by someone holding the
 * data key; the signature, which proves it was not forged by another *reader*, is in the footer
 * and can only be checked at the very end.
 * - `refuse` (default): fail before any KMS call with ERR_UNSUPPORTED; use buffered `decrypt`.
 * - `release-before-signature`: release each authenticated frame as it arrives and fail at the
 *   end if the signature does not verify. The consumer must then discard what it received.
 */
export type SignedMessagePolicy = 'refuse' | 'release-before-signature';

/**
 * Streaming decrypt buffers one frame (a non-framed body: its one block); a message with longer
 * frames is refused unless asked.
 */
export const DEFAULT_STREAM_MAX_FRAME_LENGTH = 64 * 1024 * 1024;

export interface StreamDecryptOptions extends DecryptOptions {
  readonly signedMessages?: SignedMessagePolicy | undefined;
  /**
   * Called once the header is authenticated, before its first plaintext is released (every API;
   * Node streams also emit `header`). A throw ends the stream with that error.
   */
  readonly onHeader?: ((info: OpenedHeaderInfo) => void) | undefined;
}

/** What is known once the header has been authenticated. */
export interface OpenedHeaderInfo {
  readonly header: MessageHeader;
  /** Stored and required pairs together. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** The EDK the keyring opened. */
  readonly encryptedDataKey: EncryptedDataKey;
}
