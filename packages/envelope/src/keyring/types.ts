import type { EncryptionContext } from '../context.js';
import type { RecipientFailure } from '../errors.js';
import type { AlgorithmSuite } from '../suites.js';

/** A data key wrapped by one key-encryption key. The fields are as they stand in the message. */
export interface EncryptedDataKey {
  /** Who wrapped it: `aws-kms`, `gcp-kms`, `azure-kv`, or a raw key namespace. UTF-8, ≤ 65,535 bytes. */
  readonly providerId: string;
  /** Which key wrapped it, in the provider's own encoding (≤ 65,535 bytes). */
  readonly providerInfo: Uint8Array;
  /** The wrapped data key (≤ 65,535 bytes). */
  readonly ciphertext: Uint8Array;
}

interface KeyringRequest {
  readonly suite: AlgorithmSuite;
  /**
   * The full encryption context, including pairs that are required rather than stored and the
   * `aws-crypto-public-key` of signed suites.
   */
  readonly encryptionContext: EncryptionContext;
  readonly signal?: AbortSignal | undefined;
}

export interface WrapRequest extends KeyringRequest {
  /**
   * The data key to wrap. Absent when this keyring is the generator: it must then create one of
   * `suite.keyLength` bytes and return it. The keyring must not keep a reference to either.
   */
  readonly dataKey?: Uint8Array | undefined;
  /**
   * The plaintext length of the message this key will encrypt, when known in advance (buffered
   * encrypt, or a stream given `plaintextLength`). A data-key cache needs it to enforce a byte limit.
   */
  readonly plaintextLength?: number | undefined;
}

export interface WrapResult {
  /** Set only when the request carried no data key; ownership passes to the caller, which zeroes it. */
  readonly dataKey?: Uint8Array | undefined;
  /** At least one. */
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Recipients that could not wrap, when a policy allowed going on without them (multi-keyring). */
  readonly failures?: readonly RecipientFailure[] | undefined;
}

export interface UnwrapRequest extends KeyringRequest {
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
}

export interface UnwrapResult {
  /** Ownership passes to the caller, which zeroes it when done. */
  readonly dataKey: Uint8Array;
  /** The EDK it was opened from: one of the request's own objects. */
  readonly encryptedDataKey: EncryptedDataKey;
}

/**
 * What a key provider implements. The envelope package calls keyrings only through
 * `wrapDataKey` / `unwrapDataKey`, which enforce the contract's invariants, so an implementation
 * only has to do its own job.
 */
export interface Keyring {
  /** Human-readable, no secrets: names the provider and key(s), e.g. `aws-kms arn:aws:kms:…`. */
  readonly description: string;
  /** Wrap the request's data key, or (as a generator) create one and wrap it. */
  wrap(request: WrapRequest): Promise<WrapResult>;
  /**
   * Return the data key from the first EDK this keyring can open. Return `null` when no EDK is
   * this keyring's to open (and make no KMS call for those). When it tried EDKs and all failed,
   * throw: a `NoDecryptableKeyError` listing each failure, or the single typed error.
   */
  unwrap(request: UnwrapRequest): Promise<UnwrapResult | null>;
}
