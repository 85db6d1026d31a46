import type { EncryptionContext } from '../context.js';
import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import type { Keyring } from '../keyring/types.js';
import type { AlgorithmSuite, SuiteId } from '../suites.js';
import type { KeptRecipientKeyring, Recipient } from './recipients.js';

/**
 * How a rewrap produces the new message.
 * - `re-encrypt` (default): decrypt and encrypt again, streamed, with a fresh message id and a fresh
 *   data key. Old and new versions share nothing secret, so keeping both is harmless.
 * - `header-only`: keep the message id, data key and body; write a new header only. The v2 header
 *   IV is fixed at zero, so the new header tag is computed with the same key and nonce as the old
 *   one: anyone holding two versions recovers the GHASH key and can forge this message (truncate
 *   it, rewrite frames, change its context). Expert use only, with every older copy deleted.
 *
 * Named `method`, not `mode`: `mode` already says what happens to the recipients.
 */
export type RewrapMethod = 're-encrypt' | 'header-only';

/** What the re-encrypted message is written with; each field defaults to the original's. */
export interface ReencryptionTarget {
  readonly suite?: AlgorithmSuite | SuiteId | undefined;
  readonly frameLength?: number | undefined;
  /** The whole new context (stored and required pairs); default: the original's, as opened. */
  readonly encryptionContext?: EncryptionContext | undefined;
  /** Default: with `encryptionContext`, none; without, the keys the original required. */
  readonly requiredContextKeys?: readonly string[] | undefined;
}

export interface RewrapOptions {
  /** Opens the message's current data key. */
  readonly decryptKeyring: Keyring;
  /**
   * The recipients to add (often a MultiKeyring); with `mode: 'replace'`, the only recipients.
   * May be left out when recipients are only removed.
   */
  readonly keyring?: Keyring | undefined;
  /** `replace`: the new recipients only; `add`: the current recipients (less `remove`), then the new ones. */
  readonly mode: 'replace' | 'add';
  /**
   * `mode: 'add'`: the keys `keyring` wraps for. An existing recipient that is one of them is not
   * kept twice; one recognised by its label only (a raw key) is refused (ERR_INVALID_ARGUMENT),
   * since that label may belong to another key.
   */
  readonly added?: readonly Recipient[] | undefined;
  /** `mode: 'add'`: current recipients to drop. Each must be a recipient (else ERR_INVALID_ARGUMENT). */
  readonly remove?: readonly Recipient[] | undefined;
  /**
   * `re-encrypt` with `mode: 'add'`: the new data key must be wrapped for every kept recipient,
   * so this returns a keyring that wraps for the key an EDK names (cloud EDKs name their key; raw
   * keys must be supplied). It is called once the original header is authenticated. A kept
   * recipient it returns nothing for fails the rewrap with ERR_INVALID_ARGUMENT
   * (`UnwrappableRecipientsError`) before anything is written.
   */
  readonly keptRecipientKeyring?: KeptRecipientKeyring | undefined;
  /** Default `re-encrypt`; see RewrapMethod. */
  readonly method?: RewrapMethod | undefined;
  /**
   * Required with `method: 'header-only'`: `true`, to confirm that the original message, and every
   * copy of it, will be deleted (see RewrapMethod). Ignored by `re-encrypt`.
   */
  readonly retireOriginal?: true | undefined;
  /** `re-encrypt` only: change the suite, frame length or context of the new message. */
  readonly target?: ReencryptionTarget | undefined;
  /** Required (unstored) pairs of the message, and any stored pairs to check, as for decrypt. */
  readonly encryptionContext?: EncryptionContext | undefined;
  /** Default 32, for the message read. */
  readonly maxEncryptedDataKeys?: number | undefined;
  /** Default 1 MiB, for the message read. */
  readonly maxHeaderBytes?: number | undefined;
  /** `re-encrypt`: the largest frame of the message read; default as for streaming decrypt (64 MiB). */
  readonly maxFrameLength?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface RewrappedHeader {
  readonly headerBytes: Uint8Array;
  readonly header: MessageHeader;
  /** New recipients a multi-keyring could not wrap for under a partial policy. */
  readonly missingRecipients: readonly RecipientFailure[];
}

export interface RewrapPartsResult extends RewrappedHeader {
  /**
   * The body after `headerBytes`. `header-only`: the original body, a view into the message
   * passed in, not a copy. `re-encrypt`: the new body.
   */
  readonly body: Uint8Array;
}

export interface RewrapResult extends RewrappedHeader {
  /** The new message: the new header followed by its body. */
  readonly message: Uint8Array;
}
