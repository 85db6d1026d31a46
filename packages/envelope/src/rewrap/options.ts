import type { EncryptionContext } from '../context.js';
import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import type { Keyring } from '../keyring/types.js';

export interface RewrapOptions {
  /** Opens the message's current data key. */
  readonly decryptKeyring: Keyring;
  /** The recipients to wrap the data key for (often a MultiKeyring). */
  readonly keyring: Keyring;
  /** `replace`: the new recipients only; `add`: the current EDKs, then the new ones. */
  readonly mode: 'replace' | 'add';
  /**
   * Required: `true`, to confirm that the original message, and every copy of it, will be deleted.
   * The format fixes the v2 header IV at zero, so the new header is authenticated with the same
   * key and nonce as the original; anyone who can read both versions can recover the GHASH key
   * and forge this message's body and context. Where old copies cannot be deleted (versioned
   * buckets, backups), decrypt and encrypt again instead.
   */
  readonly retireOriginal: true;
  /** Required (unstored) pairs of the message, and any stored pairs to check, as for decrypt. */
  readonly encryptionContext?: EncryptionContext | undefined;
  /** Default 32, for the message read. */
  readonly maxEncryptedDataKeys?: number | undefined;
  /** Default 1 MiB, for the message read. */
  readonly maxHeaderBytes?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface RewrappedHeader {
  readonly headerBytes: Uint8Array;
  readonly header: MessageHeader;
  /** New recipients a multi-keyring could not wrap for under a partial policy. */
  readonly missingRecipients: readonly RecipientFailure[];
}

export interface RewrapPartsResult extends RewrappedHeader {
  /** The original body, unchanged: a view into the message passed in, not a copy. */
  readonly body: Uint8Array;
}

export interface RewrapResult extends RewrappedHeader {
  /** The new header followed by the original body, byte for byte. */
  readonly message: Uint8Array;
}
