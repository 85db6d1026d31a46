import { createSecretKey, timingSafeEqual } from 'node:crypto';
import { BodyDecryptor } from '../body/decryptor.js';
import { PUBLIC_KEY_CONTEXT_KEY } from '../context.js';
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
  const full: Record<string, string> = { ...header.encryptionContext };
  const required: Record<string, string> = {};
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

/**
 * Authenticates a parsed header: policy, context, data key, key commitment (compared in
 * constant time before the header tag) and header tag. Only then is a body decryptor returned.
 */
export async function openHeader(
  header: MessageHeader,
  headerBytes: Uint8Array,
  options: DecryptOptions,
): Promise<OpenedMessage> {
  const { suite } = header;
  assertSuiteAllowedForDecrypt(suite, options.commitmentPolicy ?? DEFAULT_COMMITMENT_POLICY);
  const { full, required } = reconcileContext(header, options.encryptionContext ?? {});
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
  const derived = deriveKeys(suite, unwrapped.dataKey, header.messageId);
  zeroize(unwrapped.dataKey);
  const key = createSecretKey(derived.encryptionKey);
  zeroize(derived.encryptionKey);
  if (suite.committing && !timingSafeEqual(derived.commitment!, header.commitment!)) {
    throw new DecryptionFailedError();
  }
  verifyHeaderTag(
    suite,
    key,
    header.headerIv,
    header.authenticatedBytes,
    serializeEncryptionContext(required),
    header.headerTag,
  );

  const verifier =
    suite.signature && verificationKey ? new MessageVerifier(suite.signature, verificationKey) : undefined;
  verifier?.update(headerBytes.subarray(0, header.length));
  return {
    body: new BodyDecryptor(header, new FrameCipher(suite, key, header.messageId), verifier),
    encryptionContext: Object.freeze(full),
    encryptedDataKey: unwrapped.encryptedDataKey,
  };
}
