import type { Keyring } from '@polykms/envelope';

type MaybePromise<T> = T | Promise<T>;

/** The two keys every harness provides: distinct keys of the same provider (same account/project). */
export type KeyName = 'A' | 'B';

/**
 * KMS operations as the suite sees them. `encrypt` covers everything a keyring does on wrap
 * (generate a data key, encrypt one); `decrypt` covers unwrap.
 */
export type KmsOperation = 'encrypt' | 'decrypt';

export type FaultKind =
  /** The provider's throttling error (HTTP 429, ThrottlingException, RESOURCE_EXHAUSTED). */
  | 'throttle'
  /** The provider's retryable server error (HTTP 503, UNAVAILABLE). */
  | 'unavailable'
  /** Serve the call normally, but only after `latencyMs`. */
  | 'latency';

export interface FaultOptions {
  /** Only calls on this key; undefined = every key. */
  readonly key?: KeyName | undefined;
  /** Only calls of this kind; undefined = every operation. */
  readonly operation?: KmsOperation | undefined;
  /** How many matching calls the fault affects; undefined = until `clearFaults`. */
  readonly count?: number | undefined;
  /** For `latency`. */
  readonly latencyMs?: number | undefined;
}

/**
 * Control over the KMS behind the keyring under test: an emulator's control plane, a toy service,
 * or (against a real cloud) whatever the author can automate. Every hook is optional; the cases
 * that need a missing hook are reported as skipped with the hook's name.
 */
export interface ConformanceAdmin {
  disableKey?(key: KeyName): MaybePromise<void>;
  enableKey?(key: KeyName): MaybePromise<void>;
  /** Makes a new key version the primary one; older versions stay usable for decrypt. */
  rotateKey?(key: KeyName): MaybePromise<void>;
  /** Denies the keyrings' credential `operation` on `key` with the provider's own access-denied error. */
  deny?(key: KeyName, operation: KmsOperation): MaybePromise<void>;
  /** Lifts every denial made by `deny`. */
  allow?(): MaybePromise<void>;
  injectFault?(kind: FaultKind, options?: FaultOptions): MaybePromise<void>;
  clearFaults?(): MaybePromise<void>;
  /** KMS calls received so far (every operation, every key): the suite compares before and after. */
  callCount?(): MaybePromise<number>;
}

/** A secret of the harness, by a name the report may show (never its value). */
export interface HarnessSecret {
  readonly name: string;
  /** The bytes, or a string (a token, a PEM key) taken as its UTF-8 bytes. */
  readonly value: Uint8Array | string;
}

/** What an adapter author implements to run the suite against a keyring. */
export interface ConformanceHarness {
  /** Names the target in test titles and in the report, e.g. `aws-kms (emulator)`. */
  readonly name: string;
  /** The provider id the keyring writes into its EDKs, e.g. `aws-kms`. */
  readonly providerId: string;
  /**
   * When set, the target cannot run here (e.g. `no credentials: set POLYKMS_CONFORMANCE_AWS_KEY_A`):
   * every case is registered as a skip carrying this reason, so the gap shows in the report.
   */
  readonly unavailable?: string | undefined;
  /**
   * True when the keyring makes remote KMS calls. False for local keyrings (raw AES/RSA): the cases
   * about KMS calls, retries, timeouts and cancellation are then reported as not applicable.
   */
  readonly remote: boolean;
  /** True when the KMS binds the encryption context to the EDK, so unwrapping under another context fails. */
  readonly bindsContext: boolean;
  /**
   * Set when the provider needs the exact key version to decrypt (Azure Key Vault, raw keys with
   * versions): the EDK's provider info must name the version that wrapped it. Returns a string that
   * the UTF-8 provider info must contain for the key's current version.
   */
  readonly versionPinned?: { currentVersion(key: KeyName): MaybePromise<string> } | undefined;
  /** A keyring that encrypts and decrypts with key A only (strict mode). Called afresh by every case. */
  keyringForKeyA(): MaybePromise<Keyring>;
  /** The same for key B: a different key of the same provider, reachable with the same credential. */
  keyringForKeyB(): MaybePromise<Keyring>;
  /** A strict keyring for a key id that is well-formed but does not exist. */
  keyringForMissingKey?(): MaybePromise<Keyring>;
  /** Key A's keyring with a per-call deadline of `timeoutMs`. */
  keyringWithTimeout?(timeoutMs: number): MaybePromise<Keyring>;
  /**
   * A discovery keyring (decrypts any EDK of the provider that its filter admits) whose filter
   * admits (`admit`) or refuses (`refuse`) keys A and B.
   */
  discoveryKeyring?(filter: 'admit' | 'refuse'): MaybePromise<Keyring>;
  /** Key A's keyring with a credential that may generate/encrypt but not decrypt. */
  encryptOnlyKeyringForKeyA?(): MaybePromise<Keyring>;
  readonly admin?: ConformanceAdmin | undefined;
  /**
   * What the keyring under test must never show: wrapping keys, tokens, passwords. The leak cases
   * search every error, `polykms:kms-call` event and console or stdout/stderr line the probes cause
   * for each of them (hex, base64, raw bytes, decimal lists; any 9-byte window). Called after
   * `setup`, so secrets made there can be named.
   */
  secrets?(): MaybePromise<readonly HarnessSecret[]>;
  /** Runs once before the cases (start an emulator, create keys). */
  setup?(): MaybePromise<void>;
  /** Runs once after the cases, even when some failed. */
  teardown?(): MaybePromise<void>;
  /** Per-case timeout, default 30 s (fault cases wait out the adapter's retries). */
  readonly caseTimeoutMs?: number | undefined;
}
