import { InvalidArgumentError, type RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { prepareEncryption } from '../message/prepare-encryption.js';
import { ParallelBodyEncryptor } from '../workers/parallel-body-encryptor.js';
import { resolveWorkers } from '../workers/workers-option.js';
import type { StreamEncryptOptions } from './options.js';
import { toBytes } from './to-bytes.js';

/** Message bytes: at once, or (frames sealed on worker threads) once a window of them is. */
export type Step = Uint8Array[] | Promise<Uint8Array[]>;

/** `BodyEncryptor` on this thread, or `ParallelBodyEncryptor` on a pool's. */
interface StreamBody {
  push(plaintext: Uint8Array): Step;
  finish(): Step;
  discard?(): void;
}

/**
 * One message being encrypted incrementally: the header first, then body frames as plaintext
 * completes them. Holds at most one unfinished frame (as ciphertext). Shared by every streaming API.
 */
export class EncryptionSession {
  #headerBytes: Uint8Array | undefined;
  #length = 0;

  private constructor(
    headerBytes: Uint8Array,
    private readonly body: StreamBody,
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
    const pool = resolveWorkers(options.workers);
    const prepared = await prepareEncryption(options, declared);
    return new EncryptionSession(
      prepared.headerBytes,
      pool ? new ParallelBodyEncryptor(prepared, pool) : prepared.body,
      prepared.header,
      prepared.missingRecipients,
      declared,
    );
  }

  /**
   * Message bytes completed by `plaintext` (the header comes out with the first call). A promise
   * only with workers, when the windows in flight must drain first: await it before the next push.
   */
  push(chunk: Uint8Array): Step {
    const plaintext = toBytes(chunk);
    // A declared length may have let a data-key cache reuse a key under its byte limit: hold to it.
    this.#length += plaintext.length;
    if (this.declaredLength !== undefined && this.#length > this.declaredLength) {
      throw new InvalidArgumentError(
        `the stream is longer than its plaintextLength (${this.declaredLength})`,
      );
    }
    return this.#afterHeader(this.body.push(plaintext));
  }

  /** The final frame and, for signed suites, the footer. */
  finish(): Step {
    if (this.declaredLength !== undefined && this.#length !== this.declaredLength) {
      throw new InvalidArgumentError(
        `the stream ended after ${this.#length} bytes, not its plaintextLength (${this.declaredLength})`,
      );
    }
    return this.#afterHeader(this.body.finish());
  }

  /** Zeroes what the body holds (with workers: windows of plaintext). Call when abandoning the stream. */
  discard(): void {
    this.body.discard?.();
  }

  #afterHeader(step: Step): Step {
    const header = this.#takeHeader();
    if (Array.isArray(step)) return header.length > 0 ? [...header, ...step] : step;
    return step.then((parts) => [...header, ...parts]);
  }

  #takeHeader(): Uint8Array[] {
    const header = this.#headerBytes;
    this.#headerBytes = undefined;
    return header ? [header] : [];
  }
}
