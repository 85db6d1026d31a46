import type { EncryptionContext } from '../context.js';
import type { MessageHeader } from '../format/header.js';
import type { EncryptedDataKey, Keyring } from '../keyring/types.js';
import type { RecipientFailure } from '../errors.js';
import type { AlgorithmSuite, CommitmentPolicy, SuiteId } from '../suites.js';

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
  readonly signal?: AbortSignal | undefined;
}

export interface EncryptResult {
  readonly message: Uint8Array;
  readonly header: MessageHeader;
  /** Recipients a multi-keyring could not wrap for under a partial policy (add them later by rewrap). */
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
