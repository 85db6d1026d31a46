import { ErrorCodes, KmsError, type KmsErrorCode } from '../errors.js';

/**
 * The one error for each way a KMS answer can be wrong, whatever the provider (the table in the
 * envelope README, "Errors"). The KMS answered, so none is retryable except where it says.
 */
export class AnswerFault {
  readonly #provider: string;
  readonly #operation: string;
  readonly #keyId: string;

  constructor(provider: string, operation: string, keyId: string) {
    this.#provider = provider;
    this.#operation = operation;
    this.#keyId = keyId;
  }

  /**
   * An opened EDK held a key that is not the suite's length. Anyone allowed to encrypt under the
   * key can write such an EDK, so it is a bad ciphertext, not a KMS failure.
   */
  wrongLengthOpened(suiteName: string): KmsError {
    return this.#error(
      ErrorCodes.InvalidCiphertext,
      `the EDK holds a data key of the wrong length for ${suiteName}; it was discarded`,
    );
  }

  /** The KMS generated a data key of the wrong length, or none. */
  wrongLengthGenerated(suiteName: string): KmsError {
    return this.#error(
      ErrorCodes.ProviderFailure,
      `the KMS returned a data key of the wrong length for ${suiteName}; it was discarded`,
    );
  }

  /** The answer names no key, or another key than the one asked for (the confused-deputy check). */
  otherKey(named: string | undefined): KmsError {
    return this.#error(
      ErrorCodes.ProviderFailure,
      `the KMS answered for key ${named === undefined ? '(none)' : JSON.stringify(named.slice(0, 300))}, not the one asked for; any data key was discarded`,
    );
  }

  /** A field the answer must carry is missing or not bytes (or too long for an EDK). */
  missing(what: string): KmsError {
    return this.#error(ErrorCodes.ProviderFailure, `the KMS answer carried no usable ${what}`);
  }

  #error(code: KmsErrorCode, detail: string): KmsError {
    return new KmsError({
      code,
      provider: this.#provider,
      operation: this.#operation,
      keyId: this.#keyId,
      detail,
    });
  }
}
