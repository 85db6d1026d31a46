import { computeHeaderTag } from '../crypto/header-auth.js';
import { zeroize } from '../crypto/zeroize.js';
import { InvalidArgumentError, LimitExceededError, UnsupportedError } from '../errors.js';
import { type MessageHeader, parseHeader, serializeHeaderV2 } from '../format/header.js';
import { wrapDataKey } from '../keyring/contract.js';
import { newRecipientsKeyring } from './new-recipients.js';
import { unlockHeader } from '../message/open-header.js';
import type { RewrappedHeader, RewrapOptions } from './options.js';

/** v2 header: version (1), suite id (2), message id (32), then the u16-prefixed stored context. */
const V2_CONTEXT_LENGTH_OFFSET = 35;
const MAX_EDK_COUNT = 0xffff;

/** The stored context exactly as the header serialized it (not re-serialized from the parse). */
function storedContextBytes(header: MessageHeader): Uint8Array {
  const bytes = header.authenticatedBytes;
  const length = (bytes[V2_CONTEXT_LENGTH_OFFSET]! << 8) | bytes[V2_CONTEXT_LENGTH_OFFSET + 1]!;
  const start = V2_CONTEXT_LENGTH_OFFSET + 2;
  return bytes.subarray(start, start + length);
}

/**
 * The checks a header-only rewrap makes before reading anything: the caller must accept that old
 * and new versions may not coexist (see RewrapMethod), and cannot ask it to change the body.
 */
export function assertHeaderOnlyAllowed(options: RewrapOptions): void {
  if (options.retireOriginal !== true) {
    throw new InvalidArgumentError(
      "method: 'header-only' needs retireOriginal: true. The new header is authenticated with the same " +
        'key and nonce as the original, so anyone holding both versions can forge this message: delete ' +
        "the original and its copies, or use the default method: 're-encrypt'.",
    );
  }
  if (options.target !== undefined) {
    throw new InvalidArgumentError(
      "a header-only rewrap keeps the body, so it cannot change the suite, frame length or context: use method: 're-encrypt'",
    );
  }
}

export function assertRewrappable(header: MessageHeader): void {
  if (header.suite.signature) {
    throw new UnsupportedError(
      `a signed message (suite ${header.suite.name}) cannot be rewrapped header-only: its ` +
        "signature covers the header and only the original writer holds the signing key. Use method: 're-encrypt'.",
    );
  }
  if (header.version !== 2) {
    throw new UnsupportedError(
      "only version 2 (key-committing) messages can be rewrapped header-only: use method: 're-encrypt'",
    );
  }
}

/**
 * Header-only rewrap (see RewrapMethod for why it is expert-only): a new header for the same message: same message id, suite, context and frame length, new
 * EDKs. The old header is authenticated first (commitment, then header tag) with the data key
 * `decryptKeyring` opens; the same data key and message id give the same derived key, so the
 * commitment is unchanged and the new header tag is computed with the key the body already uses.
 */
export async function rewrapHeader(header: MessageHeader, options: RewrapOptions): Promise<RewrappedHeader> {
  assertHeaderOnlyAllowed(options);
  assertRewrappable(header);
  const unlocked = await unlockHeader(header, {
    keyring: options.decryptKeyring,
    encryptionContext: options.encryptionContext,
    signal: options.signal,
  });
  let wrapped: Awaited<ReturnType<typeof wrapDataKey>>;
  try {
    const keyring = await newRecipientsKeyring(header.encryptedDataKeys, options, 'header-only');
    wrapped = await wrapDataKey(keyring, {
      suite: header.suite,
      encryptionContext: unlocked.encryptionContext,
      dataKey: unlocked.dataKey,
      signal: options.signal,
    });
  } finally {
    zeroize(unlocked.dataKey);
  }
  const { encryptedDataKeys } = wrapped;
  if (encryptedDataKeys.length > MAX_EDK_COUNT) {
    throw new LimitExceededError(`a message can hold at most ${MAX_EDK_COUNT} encrypted data keys`);
  }
  const authenticated = serializeHeaderV2({
    suite: header.suite,
    messageId: header.messageId,
    serializedContext: storedContextBytes(header),
    encryptedDataKeys,
    frameLength: header.frameLength,
  });
  // The tag covers the header body, commitment key included (as in prepareEncryption).
  const headerBody = Buffer.concat([authenticated, header.commitment!]);
  const tag = computeHeaderTag(
    header.suite,
    unlocked.key,
    header.headerIv,
    headerBody,
    unlocked.serializedRequiredContext,
  );
  const headerBytes = Buffer.concat([headerBody, tag]);
  return {
    headerBytes,
    header: parseHeader(headerBytes, {
      maxEncryptedDataKeys: MAX_EDK_COUNT,
      maxHeaderBytes: Number.POSITIVE_INFINITY,
    }),
    missingRecipients: wrapped.failures,
  };
}
