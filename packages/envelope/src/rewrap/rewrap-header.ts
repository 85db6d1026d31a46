import { computeHeaderTag } from '../crypto/header-auth.js';
import { zeroize } from '../crypto/zeroize.js';
import { LimitExceededError, UnsupportedError } from '../errors.js';
import { type MessageHeader, parseHeader, serializeHeaderV2 } from '../format/header.js';
import { wrapDataKey } from '../keyring/contract.js';
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

export function assertRewrappable(header: MessageHeader): void {
  if (header.suite.signature) {
    throw new UnsupportedError(
      `a signed message (suite ${header.suite.name}) cannot be rewrapped: its signature covers the ` +
        'header and only the original writer holds the signing key. Decrypt it and encrypt it again instead.',
    );
  }
  if (header.version !== 2) {
    throw new UnsupportedError(
      'only version 2 (key-committing) messages can be rewrapped: decrypt this version 1 message and encrypt it again',
    );
  }
}

/**
 * A new header for the same message: same message id, suite, context and frame length, new
 * EDKs. The old header is authenticated first (commitment, then header tag) with the data key
 * `decryptKeyring` opens; the same data key and message id give the same derived key, so the
 * commitment is unchanged and the new header tag is computed with the key the body already uses.
 */
export async function rewrapHeader(header: MessageHeader, options: RewrapOptions): Promise<RewrappedHeader> {
  assertRewrappable(header);
  const unlocked = await unlockHeader(header, {
    keyring: options.decryptKeyring,
    encryptionContext: options.encryptionContext,
    signal: options.signal,
  });
  let wrapped: Awaited<ReturnType<typeof wrapDataKey>>;
  try {
    wrapped = await wrapDataKey(options.keyring, {
      suite: header.suite,
      encryptionContext: unlocked.encryptionContext,
      dataKey: unlocked.dataKey,
      signal: options.signal,
    });
  } finally {
    zeroize(unlocked.dataKey);
  }
  const encryptedDataKeys =
    options.mode === 'add'
      ? [...header.encryptedDataKeys, ...wrapped.encryptedDataKeys]
      : wrapped.encryptedDataKeys;
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
