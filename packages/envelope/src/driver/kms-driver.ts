import type { EncryptionContext } from '../context.js';
import type { PolykmsError } from '../errors.js';
import type { AlgorithmSuite } from '../suites.js';

/** A KMS key as an EDK names it. */
export interface KmsKey {
  /**
   * The key (version) as the EDK's provider info holds it, UTF-8: a key ARN, a CryptoKeyVersion
   * name, a versioned Key Vault key id. Also what errors, events and descriptions show.
   */
  readonly id: string;
  /**
   * What two spellings of the same key share, for a KMS that ignores case in names (Key Vault);
   * default `id`. The answer to an open is checked against the EDK's key with it.
   */
  readonly identity?: string | undefined;
}

interface KmsDriverCall {
  readonly suite: AlgorithmSuite;
  /** The full encryption context: what the KMS binds to the ciphertext (AAD). */
  readonly encryptionContext: EncryptionContext;
  /** The caller's abort and the keyring's deadline, combined: pass it to the SDK. */
  readonly signal: AbortSignal;
}

export interface SealCall extends KmsDriverCall {
  /** The key the keyring was configured with (a key id, name or alias, as the KMS takes it). */
  readonly keyId: string;
  /** The data key to encrypt. Do not keep a reference to it. */
  readonly dataKey: Uint8Array;
}

export interface GenerateCall extends KmsDriverCall {
  readonly keyId: string;
}

export interface OpenCall<Key extends KmsKey> extends KmsDriverCall {
  /** The key the EDK names, as `keyOf` read it. */
  readonly key: Key;
  readonly ciphertext: Uint8Array;
}

/** The KMS's answer to an encrypt, passed on unchecked: the keyring checks it. */
export interface SealAnswer {
  readonly ciphertext: Uint8Array | undefined;
  /** The key (version) the KMS says it used, as text; goes into the EDK once checked. */
  readonly keyUsed: string | undefined;
}

/** The KMS's answer to a generate-data-key. The keyring copies `dataKey` and zeroes the original. */
export interface GenerateAnswer extends SealAnswer {
  readonly dataKey: Uint8Array | undefined;
}

/** The KMS's answer to a decrypt. The keyring copies `dataKey` and zeroes the original. */
export interface OpenAnswer {
  readonly dataKey: Uint8Array | undefined;
  /** The key (version) the KMS says it used; read only when `operations.openNamesKey`. */
  readonly keyUsed?: string | undefined;
}

export interface KmsOperationNames {
  /** As the KMS names them (`Encrypt`, `wrapKey`…): they go into errors and diagnostics events. */
  readonly seal: string;
  readonly open: string;
  /** Set when the driver has `generate`. */
  readonly generate?: string | undefined;
  /**
   * True when the KMS's decrypt answer names the key version it used (AWS, Azure): the keyring
   * then refuses an answer that names none or another one. False when the ciphertext alone
   * selects the version and the answer does not say (Google Cloud).
   */
  readonly openNamesKey: boolean;
}

export interface KmsErrorContext {
  readonly operation: string;
  readonly keyId: string | undefined;
}

/**
 * What a cloud (or any KMS) adapter implements: the calls its SDK makes and what its names and
 * errors mean. Everything else — the EDK loop, deadlines, abort, retries, diagnostics events,
 * data-key generation and zeroing, and every check on what the KMS answered — is done once by
 * `KmsKeyring`, so the same fault gets the same error code on every provider.
 */
export interface KmsDriver<Key extends KmsKey> {
  /** The EDK provider id, e.g. `aws-kms`. */
  readonly providerId: string;
  readonly operations: KmsOperationNames;
  /**
   * Which EDKs are this provider's keys: the key an EDK's provider info names (already bounded and
   * decoded as strict UTF-8), or undefined when it names none. Called for EDKs of `providerId` only.
   */
  keyOf(providerInfo: string): Key | undefined;
  /** One encrypt call. Throw whatever the SDK throws: `mapError` types it. */
  seal(call: SealCall): Promise<SealAnswer>;
  /** One decrypt call of an EDK's ciphertext with exactly the key the EDK names. */
  open(call: OpenCall<Key>): Promise<OpenAnswer>;
  /**
   * One generate-data-key call, for a KMS that creates data keys itself (AWS GenerateDataKey).
   * Without it the keyring makes the data key with node:crypto and seals it.
   */
  generate?(call: GenerateCall): Promise<GenerateAnswer>;
  /** The provider's error table: an SDK error onto the common codes, the SDK error as `cause`. */
  mapError(error: unknown, context: KmsErrorContext): PolykmsError;
}
