import type { BodyEncryptor } from '../body/encryptor.js';
import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { prepareEncryption } from '../message/prepare-encryption.js';
import type { StreamEncryptOptions } from './options.js';

/**
 * One message being encrypted incrementally: the header first, then body frames as plaintext
 * completes them. Holds at most one partial frame of plaintext. Shared by every streaming API.
 */
export class EncryptionSession {
  #headerBytes: Uint8Array | undefined;

  private constructor(
    headerBytes: Uint8Array,
    private readonly body: BodyEncryptor,
    readonly header: MessageHeader,
    readonly missingRecipients: readonly RecipientFailure[],
  ) {
    this.#headerBytes = headerBytes;
  }

  static async start(options: StreamEncryptOptions): Promise<EncryptionSession> {
    const prepared = await prepareEncryption(options, options.plaintextLength);
    return new EncryptionSession(
      prepared.headerBytes,
      prepared.body,
      prepared.header,
      prepared.missingRecipients,
    );
  }

  /** Message bytes completed by `plaintext` (the header comes out with the first call). */
  push(plaintext: Uint8Array): Uint8Array[] {
    const out = this.#takeHeader();
    out.push(...this.body.push(plaintext));
    return out;
  }

  /** The final frame and, for signed suites, the footer. */
  finish(): Uint8Array[] {
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
