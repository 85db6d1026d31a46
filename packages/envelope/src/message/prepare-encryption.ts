import { type KeyObject, createSecretKey } from 'node:crypto';
import { BodyEncryptor } from '../body/encryptor.js';
import { PUBLIC_KEY_CONTEXT_KEY } from '../context.js';
import { deriveKeys } from '../crypto/derive.js';
import { FrameCipher } from '../crypto/frame-cipher.js';
import { computeHeaderTag } from '../crypto/header-auth.js';
import { newMessageId } from '../crypto/message-id.js';
import { MessageSigner, generateSigningKey } from '../crypto/signature.js';
import { zeroize } from '../crypto/zeroize.js';
import { InvalidArgumentError, type RecipientFailure } from '../errors.js';
import { assertNoReservedKeys, serializeEncryptionContext } from '../format/encryption-context.js';
import { type MessageHeader, serializeHeaderV2 } from '../format/header.js';
import { wrapDataKey } from '../keyring/contract.js';
import { DEFAULT_SUITE, type AlgorithmSuite, assertSuiteAllowedForEncrypt, suiteFromId } from '../suites.js';
import { DEFAULT_FRAME_LENGTH, checkFrameLength } from './frame-length.js';
import type { EncryptOptions } from './options.js';

export interface PreparedEncryption {
  /** The complete header, auth fields included. */
  readonly headerBytes: Uint8Array;
  readonly header: MessageHeader;
  readonly body: BodyEncryptor;
  /** The body's key and signer, for callers that seal frames elsewhere (worker threads). */
  readonly frameKey: KeyObject;
  readonly signer: MessageSigner | undefined;
  readonly missingRecipients: readonly RecipientFailure[];
}

export function resolveSuite(suite: EncryptOptions['suite']): AlgorithmSuite {
  if (suite === undefined) return DEFAULT_SUITE;
  return typeof suite === 'number' ? suiteFromId(suite) : suite;
}

function splitContext(
  context: Readonly<Record<string, string>>,
  requiredKeys: readonly string[],
): { stored: Record<string, string>; required: Record<string, string> } {
  // A spread defines a "__proto__" key as an own pair; assigning one (below) needs a map without
  // a prototype, or the pair would silently vanish.
  const stored: Record<string, string> = { ...context };
  const required: Record<string, string> = Object.create(null);
  for (const key of requiredKeys) {
    if (!Object.hasOwn(context, key)) {
      throw new InvalidArgumentError(
        `requiredContextKeys names "${key}", which is not in the encryption context`,
      );
    }
    required[key] = context[key]!;
    delete stored[key];
  }
  return { stored, required };
}

/**
 * Everything up to the body: gets a data key from the keyring, derives the message keys, writes
 * and authenticates the header. `plaintextLength`, when known, is passed to the keyring (a
 * data-key cache counts bytes with it). The data key is zeroed before this returns; only the derived
 * key survives, inside the KeyObject of the body encryptor.
 */
export async function prepareEncryption(
  options: EncryptOptions,
  plaintextLength?: number,
): Promise<PreparedEncryption> {
  const suite = resolveSuite(options.suite);
  assertSuiteAllowedForEncrypt(suite);
  const frameLength = checkFrameLength(options.frameLength ?? DEFAULT_FRAME_LENGTH);
  const callerContext = options.encryptionContext ?? {};
  assertNoReservedKeys(callerContext);
  const signingKey = suite.signature ? generateSigningKey(suite.signature) : undefined;
  const fullContext: Record<string, string> = { ...callerContext };
  if (signingKey) fullContext[PUBLIC_KEY_CONTEXT_KEY] = signingKey.publicKeyBase64;
  const { stored, required } = splitContext(fullContext, options.requiredContextKeys ?? []);
  const serializedStored = serializeEncryptionContext(stored);
  const serializedRequired = serializeEncryptionContext(required);

  const wrapped = await wrapDataKey(options.keyring, {
    suite,
    encryptionContext: Object.freeze(fullContext),
    signal: options.signal,
    plaintextLength,
  });
  const messageId = newMessageId();
  const derived = deriveKeys(suite, wrapped.dataKey, messageId);
  zeroize(wrapped.dataKey);
  const key = createSecretKey(derived.encryptionKey);
  zeroize(derived.encryptionKey);

  const authenticated = serializeHeaderV2({
    suite,
    messageId,
    serializedContext: serializedStored,
    encryptedDataKeys: wrapped.encryptedDataKeys,
    frameLength,
  });
  const headerIv = new Uint8Array(12);
  // The tag covers the whole header body, commitment key included; it is written after it.
  const commitment = derived.commitment!;
  const bodyLength = authenticated.length + commitment.length;
  const headerBytes = Buffer.allocUnsafe(bodyLength + suite.tagLength);
  headerBytes.set(authenticated, 0);
  headerBytes.set(commitment, authenticated.length);
  const tag = computeHeaderTag(suite, key, headerIv, headerBytes.subarray(0, bodyLength), serializedRequired);
  headerBytes.set(tag, bodyLength);
  const signer =
    signingKey && suite.signature ? new MessageSigner(suite.signature, signingKey.privateKey) : undefined;
  signer?.update(headerBytes);
  // Built from the fields just written, rather than parsed back from the bytes.
  const header: MessageHeader = Object.freeze({
    version: 2,
    suite,
    messageId,
    encryptionContext: Object.freeze(stored),
    encryptedDataKeys: Object.freeze([...wrapped.encryptedDataKeys]),
    contentType: 'framed',
    frameLength,
    headerIv,
    commitment: derived.commitment,
    headerTag: tag,
    authenticatedBytes: headerBytes.subarray(0, bodyLength),
    length: headerBytes.length,
  });
  return {
    headerBytes,
    header,
    body: new BodyEncryptor(new FrameCipher(suite, key, messageId), frameLength, signer),
    frameKey: key,
    signer,
    missingRecipients: wrapped.failures,
  };
}
