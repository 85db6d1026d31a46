import type { EncryptedDataKey, Keyring, UnwrapResult, WrapResult } from '../keyring/types.js';

/**
 * Header-only rewrap: contributes EDKs the message already has. They wrap the very data key being
 * kept, so carrying them over is correct without calling their KMS, including for keys (raw ones,
 * or another team's) the caller could not wrap for. Under re-encryption they would wrap the wrong
 * (old) data key, so it never uses this.
 */
export class RetainedRecipients implements Keyring {
  readonly description = 'retained recipients';
  readonly #edks: readonly EncryptedDataKey[];

  constructor(edks: readonly EncryptedDataKey[]) {
    this.#edks = edks;
  }

  async wrap(): Promise<WrapResult> {
    return { encryptedDataKeys: this.#edks };
  }

  async unwrap(): Promise<UnwrapResult | null> {
    return null;
  }
}
