import { RESERVED_CONTEXT_PREFIX } from '../context.js';
import { type RecipientFailure, UnsupportedError } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { untilAborted, discardPlaintext } from '../stream/cancellation.js';
import { DecryptionSession } from '../stream/decryptor-session.js';
import type { OpenedHeaderInfo } from '../stream/options.js';
import { EncryptionSession, type Step } from '../stream/encryptor-session.js';
import type { StreamEncryptOptions } from '../stream/options.js';
import { newRecipientsKeyring } from './new-recipients.js';
import type { RewrapOptions } from './options.js';

/** The pairs a caller may set: the opened context less the reserved `aws-crypto-` pairs (the signing key). */
function callerContext(opened: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(opened).filter(([key]) => !key.startsWith(RESERVED_CONTEXT_PREFIX)),
  );
}

/**
 * What the new message is written with: each field the caller did not change is the original's.
 * Pairs the original required rather than stored stay required, so re-encryption never writes
 * into the header a pair its writer chose to keep out of it. A non-committing (v1) original gets
 * the default committing suite and frame length, as a v2 message cannot use its suite.
 */
function encryptionOptions(
  source: OpenedHeaderInfo,
  options: RewrapOptions,
): Omit<StreamEncryptOptions, 'keyring'> {
  const { header } = source;
  const target = options.target ?? {};
  const v2 = header.version === 2;
  const storedKeys = new Set(Object.keys(header.encryptionContext));
  const context = target.encryptionContext ?? callerContext(source.encryptionContext);
  const requiredContextKeys =
    target.requiredContextKeys ??
    (target.encryptionContext ? undefined : Object.keys(context).filter((key) => !storedKeys.has(key)));
  return {
    encryptionContext: context,
    requiredContextKeys: requiredContextKeys?.length ? requiredContextKeys : undefined,
    suite: target.suite ?? (v2 ? header.suite : undefined),
    frameLength: target.frameLength ?? (v2 ? header.frameLength : undefined),
    signal: options.signal,
  };
}

/**
 * Re-encryption passes no `workers`, so the new message's frames are sealed on this thread and
 * every step is an array: that keeps `push` synchronous once both headers are done.
 */
function sealedHere(step: Step): Uint8Array[] {
  if (Array.isArray(step)) return step;
  throw new UnsupportedError('re-encryption seals frames on the calling thread only');
}

/**
 * One message being re-encrypted incrementally: a DecryptionSession feeding an EncryptionSession.
 * The decryptor releases a frame's plaintext only once its tag verified; that plaintext goes to
 * the encryptor and is zeroed at once. The encryptor starts when the original header is
 * authenticated, so the new recipients are chosen from EDKs the original's writer vouched for.
 *
 * Why no (key, nonce) pair of the new message repeats one of the original's, or of any other
 * re-encryption of it (retries, concurrent copies): the new message is an ordinary `encrypt`,
 * with a data key from the keyring or node:crypto's CSPRNG and a random 32-byte message id, and
 * every body and header key is derived from both (HKDF, message id as salt). Two runs share a
 * derived key only if they draw the same 256-bit message id, which is negligible.
 *
 * A signed original (0x0578) is read with `release-before-signature`: its plaintext reaches only
 * the encryptor, and the new message's final frame is written only after the original's signature
 * verified in `finish`, so a forged original yields a new message that fails to decrypt (truncated).
 */
export class ReencryptionSession {
  readonly #decryption: DecryptionSession;
  #encryption: EncryptionSession | undefined;

  constructor(private readonly options: RewrapOptions) {
    this.#decryption = new DecryptionSession({
      keyring: options.decryptKeyring,
      encryptionContext: options.encryptionContext,
      maxEncryptedDataKeys: options.maxEncryptedDataKeys,
      maxHeaderBytes: options.maxHeaderBytes,
      maxFrameLength: options.maxFrameLength,
      signedMessages: 'release-before-signature',
      signal: options.signal,
    });
  }

  /** The original's header and context, once authenticated. */
  get source(): OpenedHeaderInfo | undefined {
    return this.#decryption.info;
  }

  /** The new header, once the new recipients have wrapped the new data key. */
  get header(): MessageHeader | undefined {
    return this.#encryption?.header;
  }

  get missingRecipients(): readonly RecipientFailure[] {
    return this.#encryption?.missingRecipients ?? [];
  }

  /** New message bytes completed by `chunk`: synchronous once both headers are done. */
  push(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]> {
    const step = this.#decryption.push(chunk);
    if (Array.isArray(step) && (this.#encryption || step.length === 0)) return this.#encrypt(step);
    return this.#encryptOnceOpen(step);
  }

  /** The rest of the new message; fails (and writes no final frame) if the original is incomplete or forged. */
  async finish(): Promise<Uint8Array[]> {
    const out = await this.#encryptOnceOpen(this.#decryption.finish());
    out.push(...(await this.#encryption!.finish()));
    return out;
  }

  /** Zeroes plaintext held by the decryptor; call when abandoning the input. */
  discard(): void {
    this.#decryption.discard();
  }

  async #encryptOnceOpen(step: Buffer[] | Promise<Buffer[]>): Promise<Uint8Array[]> {
    const plaintext = await step;
    try {
      if (!this.#encryption) await this.#startEncryption();
    } catch (error) {
      discardPlaintext(plaintext);
      throw error;
    }
    return this.#encrypt(plaintext);
  }

  async #startEncryption(): Promise<void> {
    const source = this.#decryption.info!;
    const { options } = this;
    const keyring = await newRecipientsKeyring(source.header.encryptedDataKeys, options, 're-encrypt');
    const start = EncryptionSession.start({ ...encryptionOptions(source, options), keyring });
    this.#encryption = await untilAborted(start, options.signal);
  }

  #encrypt(plaintext: readonly Buffer[]): Uint8Array[] {
    try {
      const out: Uint8Array[] = [];
      for (const part of plaintext) out.push(...sealedHere(this.#encryption!.push(part)));
      return out;
    } finally {
      discardPlaintext(plaintext);
    }
  }
}
