import { type KeyObject, createSecretKey } from 'node:crypto';
import { BodyEncryptor } from '../body/encryptor.js';
import { PUBLIC_KEY_CONTEXT_KEY } from '../context.js';
import { deriveKeys } from '../crypto/derive.js';
import { FrameCipher } from '../crypto/frame-cipher.js';
import { computeHeaderTag } from '../crypto/header-auth.js';
import { newMessageId } from '../crypto/message-id.js';
import { MessageSigner, generateSigningKey } from '../crypto/signature.js';
import { zeroize } from '../crypto/zeroize.js';
import type { RecipientFailure } from '../errors.js';
import { MAX_HEADER_TEMPLATES, type ReusableMaterials } from '../cache/reusable-materials.js';
import { assertNoReservedKeys, assertSerializableContext } from '../format/encryption-context.js';
import type { MessageHeader } from '../format/header.js';
import { frozenEdkCopy, wrapDataKey } from '../keyring/contract.js';
import { DEFAULT_SUITE, type AlgorithmSuite, assertSuiteAllowedForEncrypt, suiteFromId } from '../suites.js';
import { DEFAULT_FRAME_LENGTH, checkFrameLength } from './frame-length.js';
import {
  type HeaderTemplate,
  assertRequiredKeysPresent,
  buildHeaderTemplate,
  headerBodyFrom,
  headerTemplateKey,
} from './header-template.js';
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
  const requiredKeys = options.requiredContextKeys ?? [];
  // Refused before any KMS call.
  assertSerializableContext(fullContext);
  assertRequiredKeysPresent(fullContext, requiredKeys);

  const wrapped = await wrapDataKey(
    options.keyring,
    { suite, encryptionContext: Object.freeze(fullContext), signal: options.signal, plaintextLength },
    { reuse: true },
  );
  const messageId = newMessageId();
  const derived = deriveKeys(suite, wrapped.dataKey, messageId);
  zeroize(wrapped.dataKey);
  const key = createSecretKey(derived.encryptionKey);
  zeroize(derived.encryptionKey);
  const template = wrapped.reusable
    ? reusedTemplate(wrapped.reusable, suite, fullContext, requiredKeys, frameLength)
    : buildHeaderTemplate(suite, fullContext, requiredKeys, wrapped.encryptedDataKeys, frameLength);

  // The tag covers the whole header body, commitment key included; it is written after it.
  const commitment = derived.commitment!;
  const headerBytes = headerBodyFrom(template, messageId, commitment, suite.tagLength);
  const bodyLength = headerBytes.length - suite.tagLength;
  const headerIv = new Uint8Array(12);
  const tag = computeHeaderTag(
    suite,
    key,
    headerIv,
    headerBytes.subarray(0, bodyLength),
    template.serializedRequired,
  );
  headerBytes.set(tag, bodyLength);
  const signer =
    signingKey && suite.signature ? new MessageSigner(suite.signature, signingKey.privateKey) : undefined;
  signer?.update(headerBytes);
  // Built from the fields just written, rather than parsed back from the bytes.
  const header: MessageHeader = Object.freeze({
    version: 2,
    suite,
    messageId,
    encryptionContext: template.storedContext,
    encryptedDataKeys: template.encryptedDataKeys,
    contentType: 'framed',
    frameLength,
    headerIv,
    commitment,
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

/**
 * The cached data key's template for this layout, built and kept on first use. The entry fixes
 * suite, context and EDKs (its cache key holds the suite and the whole context), so a template
 * stored under (frame length, required keys) fits every later message under it. Its EDKs are
 * copies of the entry's, so that nothing a caller does to a header reaches the cache.
 */
function reusedTemplate(
  materials: ReusableMaterials,
  suite: AlgorithmSuite,
  context: Readonly<Record<string, string>>,
  requiredKeys: readonly string[],
  frameLength: number,
): HeaderTemplate {
  const key = headerTemplateKey(frameLength, requiredKeys);
  const known = materials.headerTemplates.get(key);
  if (known) return known;
  const copies = materials.encryptedDataKeys.map(frozenEdkCopy);
  const template = buildHeaderTemplate(suite, context, requiredKeys, copies, frameLength);
  if (materials.headerTemplates.size < MAX_HEADER_TEMPLATES) materials.headerTemplates.set(key, template);
  return template;
}
