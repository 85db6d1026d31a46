import type { EncryptionContext } from '../context.js';
import type { MessageHeader } from '../format/header.js';
import type { EncryptedDataKey, Keyring } from '../keyring/types.js';
import type { RecipientFailure } from '../errors.js';
import type { AlgorithmSuite, CommitmentPolicy, SuiteId } from '../suites.js';
import type { WorkersOption } from '../workers/workers-option.js';

export interface EncryptOptions {
  readonly keyring: Keyring;
  /** Bound to the message; stored in the header unless listed in `requiredContextKeys`. */
  readonly encryptionContext?: EncryptionContext | undefined;
  /**
   * Keys of `encryptionContext` that are authenticated but not stored: whoever decrypts must
   * supply them. (The AWS Encryption SDK for JavaScript 5.x cannot read such messages.)
   */
  readonly requiredContextKeys?: readonly string[] | undefined;
  /** 0x0478 (default) or 0x0578 (adds an ECDSA P-384 signature; such messages cannot be rewrapped header-only). */
  readonly suite?: AlgorithmSuite | SuiteId | undefined;
  /** Plaintext bytes per frame; see DEFAULT_FRAME_LENGTH. */
  readonly frameLength?: number | undefined;
  /**
   * Seal frames on worker threads (buffered `encrypt`, and `encryptInto` with an `out` in shared
   * memory): a thread count, `'auto'` (one per core) or a `FramePool`. Default: this thread.
   * The message is then a Buffer over a SharedArrayBuffer. Same bytes either way.
   */
  readonly workers?: WorkersOption | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface EncryptResult {
  readonly message: Uint8Array;
  readonly header: MessageHeader;
  /** Recipients a multi-keyring could not wrap for under a partial policy (add them later by rewrap). */
  readonly missingRecipients: readonly RecipientFailure[];
}

export interface EncryptIntoResult {
  /** Bytes of the message written at the start of `out`. */
  readonly length: number;
  readonly header: MessageHeader;
  readonly missingRecipients: readonly RecipientFailure[];
}

export interface EncryptPartsResult {
  /** The header, then each frame's prefix, ciphertext and tag (and the footer), in order. */
  readonly parts: readonly Uint8Array[];
  /** Their total length. */
  readonly length: number;
  readonly header: MessageHeader;
  readonly missingRecipients: readonly RecipientFailure[];
}

export interface DecryptOptions {
  readonly keyring: Keyring;
  /**
   * Pairs the message must be bound to. A pair stored in the header must have this value
   * (else ERR_CONTEXT_MISMATCH); a pair not stored is treated as a required pair and checked by
   * the header tag.
   */
  readonly encryptionContext?: EncryptionContext | undefined;
  /** Default `require-encrypt-require-decrypt`: only committing (v2) messages. */
  readonly commitmentPolicy?: CommitmentPolicy | undefined;
  /** Default 32. Each EDK may cost a KMS call, so a hostile message may not list thousands. */
  readonly maxEncryptedDataKeys?: number | undefined;
  /** Default 1 MiB. */
  readonly maxHeaderBytes?: number | undefined;
  /**
   * Largest frame length accepted. A non-framed (v1) body is one block under one tag: it counts as
   * one frame of its content length, and is refused (ERR_LIMIT_EXCEEDED) as soon as that length is
   * read. Buffered decrypt: no limit by default (the message is already in memory). Streaming
   * decrypt must hold a whole frame before it can authenticate and release it, so it defaults to
   * DEFAULT_STREAM_MAX_FRAME_LENGTH (64 MiB): a hostile message cannot make it buffer 4 GiB (a
   * frame) or 64 GiB (a non-framed body).
   */
  readonly maxFrameLength?: number | undefined;
  /**
   * Most frames decrypted from one message, default DEFAULT_MAX_FRAMES (2^24): each costs a cipher
   * setup and a tag check whatever its length, so this bounds the CPU a message of tiny frames can
   * cost (ERR_LIMIT_EXCEEDED). Buffered decrypt refuses a message too long for it before any KMS call.
   */
  readonly maxFrames?: number | undefined;
  /**
   * Open frames on worker threads (buffered `decrypt` of framed messages): a thread count,
   * `'auto'` or a `FramePool`. The plaintext is then a Buffer over a SharedArrayBuffer, released
   * only once every frame (and the signature) verified, as on this thread.
   */
  readonly workers?: WorkersOption | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface DecryptResult {
  readonly plaintext: Uint8Array;
  readonly header: MessageHeader;
  /** Stored and required pairs together. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** The EDK the keyring opened. */
  readonly encryptedDataKey: EncryptedDataKey;
}

export interface DecryptIntoResult extends Omit<DecryptResult, 'plaintext'> {
  /** Bytes of plaintext written at the start of `out`. */
  readonly length: number;
}
