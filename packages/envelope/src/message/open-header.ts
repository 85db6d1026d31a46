import { type KeyObject, createSecretKey, timingSafeEqual } from 'node:crypto';
import { BodyDecryptor } from '../body/decryptor.js';
import { PUBLIC_KEY_CONTEXT_KEY, PURPOSE_CONTEXT_KEY } from '../context.js';
import { deriveKeys } from '../crypto/derive.js';
import { FrameCipher } from '../crypto/frame-cipher.js';
import { verifyHeaderTag } from '../crypto/header-auth.js';
import { MessageVerifier, verificationKeyFromBase64 } from '../crypto/signature.js';
import { zeroize } from '../crypto/zeroize.js';
import {
  ContextMismatchError,
  DecryptionFailedError,
  MalformedMessageError,
  NoDecryptableKeyError,
} from '../errors.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import type { MessageHeader } from '../format/header.js';
import { unwrapDataKey } from '../keyring/contract.js';
import type { EncryptedDataKey } from '../keyring/types.js';
import { DEFAULT_COMMITMENT_POLICY, assertSuiteAllowedForDecrypt } from '../suites.js';
import type { DecryptOptions } from './options.js';
import type { FramePool } from '../workers/frame-pool.js';
import { ParallelBodyDecryptor } from '../workers/parallel-body-decryptor.js';

/** How a stream's body is read: on this thread (`BodyDecryptor`), or on worker threads. */
export interface MessageBodyReader {
  readonly done: boolean;
  /** Authenticated plaintext completed by `chunk` (a promise when it must wait for workers). */
  push(chunk: Uint8Array): Buffer[] | Promise<Buffer[]>;
  /** At end of input: the last plaintext, or an error unless the message was complete. */
  finish(): undefined | Promise<Buffer[]>;
  discard(): void;
}

export interface OpenedMessage {
  readonly body: BodyDecryptor;
  readonly encryptionContext: Readonly<Record<string, string>>;
  readonly encryptedDataKey: EncryptedDataKey;
}

/**
 * Splits the caller's expected context into pairs checked against the header and pairs that
 * were required (not stored) and so take part in the header tag.
 */
function reconcileContext(
  header: MessageHeader,
  expected: Readonly<Record<string, string>>,
): { full: Record<string, string>; required: Record<string, string> } {
  // Null-prototype maps: assigning "__proto__" to a plain object would set its prototype and
  // silently drop the pair from the context that is checked and authenticated.
  const full: Record<string, string> = Object.assign(Object.create(null), header.encryptionContext);
  const required: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(expected)) {
    if (Object.hasOwn(header.encryptionContext, key)) {
      if (header.encryptionContext[key] !== value) {
        throw new ContextMismatchError(`the message's encryption context has a different value for "${key}"`);
      }
    } else {
      required[key] = value;
      full[key] = value;
    }
  }
  return { full, required };
}

/** See PURPOSE_CONTEXT_KEY. Checked before any KMS call; the header tag makes the claim authentic. */
function assertPurposeExpected(header: MessageHeader, expected: Readonly<Record<string, string>>): void {
  const purpose = header.encryptionContext[PURPOSE_CONTEXT_KEY];
  if (
    purpose === undefined ||
    (Object.hasOwn(expected, PURPOSE_CONTEXT_KEY) && expected[PURPOSE_CONTEXT_KEY] === purpose)
  ) {
    return;
  }
  throw new ContextMismatchError(
    `this message is not data: its context declares ${PURPOSE_CONTEXT_KEY}=${JSON.stringify(purpose)}; ` +
      'open it with the tool made for it (a keyset: openKeyset or `polykms keyset`), or expect that pair explicitly',
  );
}

/** A header whose data key was unwrapped and whose commitment and tag verified. */
export interface UnlockedHeader {
  /** The message's derived encryption key (header tag and frames). */
  readonly key: KeyObject;
  /** The plaintext data key: the caller zeroes it. */
  readonly dataKey: Uint8Array;
  /** Stored and required pairs together. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** Serialization of the required (unstored) pairs, as appended to the header-tag AAD. */
  readonly serializedRequiredContext: Uint8Array;
  readonly encryptedDataKey: EncryptedDataKey;
  readonly verificationKey: KeyObject | undefined;
}

/**
 * Authenticates a parsed header: policy, context, data key, key commitment (compared in
 * constant time before the header tag) and header tag. Returns the data key (rewrap needs it);
 * on any failure the data key is zeroed before the error is thrown.
 */
export async function unlockHeader(header: MessageHeader, options: DecryptOptions): Promise<UnlockedHeader> {
  const { suite } = header;
  assertSuiteAllowedForDecrypt(suite, options.commitmentPolicy ?? DEFAULT_COMMITMENT_POLICY);
  const { full, required } = reconcileContext(header, options.encryptionContext ?? {});
  assertPurposeExpected(header, options.encryptionContext ?? {});
  const publicKey = header.encryptionContext[PUBLIC_KEY_CONTEXT_KEY];
  if (suite.signature && publicKey === undefined) {
    throw new MalformedMessageError('a signed message lacks its verification key');
  }
  if (!suite.signature && publicKey !== undefined) {
    throw new MalformedMessageError('an unsigned message carries a verification key');
  }
  const verificationKey =
    suite.signature && publicKey ? verificationKeyFromBase64(suite.signature, publicKey) : undefined;

  const unwrapped = await unwrapDataKey(options.keyring, {
    suite,
    encryptionContext: Object.freeze(full),
    encryptedDataKeys: header.encryptedDataKeys,
    signal: options.signal,
  });
  if (unwrapped === null)
    throw new NoDecryptableKeyError([], "the keyring holds none of the message's data keys");
  try {
    const derived = deriveKeys(suite, unwrapped.dataKey, header.messageId);
    const key = createSecretKey(derived.encryptionKey);
    zeroize(derived.encryptionKey);
    if (suite.committing && !timingSafeEqual(derived.commitment!, header.commitment!)) {
      throw new DecryptionFailedError();
    }
    const serializedRequiredContext = serializeEncryptionContext(required);
    verifyHeaderTag(
      suite,
      key,
      header.headerIv,
      header.authenticatedBytes,
      serializedRequiredContext,
      header.headerTag,
    );
    return {
      key,
      dataKey: unwrapped.dataKey,
      encryptionContext: Object.freeze(full),
      serializedRequiredContext,
      encryptedDataKey: unwrapped.encryptedDataKey,
      verificationKey,
    };
  } catch (error) {
    zeroize(unwrapped.dataKey);
    throw error;
  }
}

/** For signed suites: the signature verifier, fed the header so far. */
export function startVerifier(
  header: MessageHeader,
  headerBytes: Uint8Array,
  unlocked: UnlockedHeader,
): MessageVerifier | undefined {
  const spec = header.suite.signature;
  if (!spec || !unlocked.verificationKey) return undefined;
  const verifier = new MessageVerifier(spec, unlocked.verificationKey);
  verifier.update(headerBytes.subarray(0, header.length));
  return verifier;
}

/**
 * `openHeader` for a stream whose frames are opened on `pool`'s threads (framed bodies only).
 */
export async function openHeaderParallel(
  header: MessageHeader,
  headerBytes: Uint8Array,
  options: DecryptOptions,
  pool: FramePool,
): Promise<Omit<OpenedMessage, 'body'> & { readonly body: MessageBodyReader }> {
  const unlocked = await unlockHeader(header, options);
  zeroize(unlocked.dataKey);
  const verifier = startVerifier(header, headerBytes, unlocked);
  return {
    body: new ParallelBodyDecryptor(header, unlocked.key, verifier, pool, options.maxFrames),
    encryptionContext: unlocked.encryptionContext,
    encryptedDataKey: unlocked.encryptedDataKey,
  };
}

/** Authenticates a parsed header (see `unlockHeader`); only then is a body decryptor returned. */
export async function openHeader(
  header: MessageHeader,
  headerBytes: Uint8Array,
  options: DecryptOptions,
): Promise<OpenedMessage> {
  const unlocked = await unlockHeader(header, options);
  zeroize(unlocked.dataKey);
  const { suite } = header;
  const verifier = startVerifier(header, headerBytes, unlocked);
  return {
    body: new BodyDecryptor(header, new FrameCipher(suite, unlocked.key, header.messageId), verifier, {
      maxFrameLength: options.maxFrameLength,
      maxFrames: options.maxFrames,
    }),
    encryptionContext: unlocked.encryptionContext,
    encryptedDataKey: unlocked.encryptedDataKey,
  };
}
