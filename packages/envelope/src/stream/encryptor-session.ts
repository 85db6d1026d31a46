import type { BodyEncryptor } from '../body/encryptor.js';
import { InvalidArgumentError, type RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { prepareEncryption } from '../message/prepare-encryption.js';
import type { StreamEncryptOptions } from './options.js';
import { toBytes } from './to-bytes.js';

/**
 * One message being encrypted incrementally: the header first, then body frames as plaintext
 * completes them. Holds at most one unfinished frame (as ciphertext). Shared by every streaming API.
 */
export class EncryptionSession {
  #headerBytes: Uint8Array | undefined;
  #length = 0;

  private constructor(
    headerBytes: Uint8Array,
    private readonly body: BodyEncryptor,
    readonly header: MessageHeader,
    readonly missingRecipients: readonly RecipientFailure[],
    private readonly declaredLength: number | undefined,
  ) {
    this.#headerBytes = headerBytes;
  }

  static async start(options: StreamEncryptOptions): Promise<EncryptionSession> {
    const declared = options.plaintextLength;
    if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) {
      throw new InvalidArgumentError('plaintextLength must be a non-negative integer');
    }
    const prepared = await prepareEncryption(options, declared);
    return new EncryptionSession(
      prepared.headerBytes,
      prepared.body,
      prepared.header,
      prepared.missingRecipients,
      declared,
    );
  }

  /** Message bytes completed by `plaintext` (the header comes out with the first call). */
  push(chunk: Uint8Array): Uint8Array[] {
    const plaintext = toBytes(chunk);
    // A declared length may have let a data-key cache reuse a key under its byte limit: hold to it.
    this.#length += plaintext.length;
    if (this.declaredLength !== undefined && this.#length > this.declaredLength) {
      throw new InvalidArgumentError(
        `the stream is longer than its plaintextLength (${this.declaredLength})`,
      );
    }
    const out = this.#takeHeader();
    out.push(...this.body.push(plaintext));
    return out;
  }

  /** The final frame and, for signed suites, the footer. */
  finish(): Uint8Array[] {
    if (this.declaredLength !== undefined && this.#length !== this.declaredLength) {
      throw new InvalidArgumentError(
        `the stream ended after ${this.#length} bytes, not its plaintextLength (${this.declaredLength})`,
      );
    }
    const out = this.#takeHeader();
    out.push(...this.body.finish());
    return out;
  }

  #takeHeader(): Uint8Array[] {
    const header = this.#headerBytes;
    this.#headerBytes = undefined;
    return header ? [header] : [];
  }
}
