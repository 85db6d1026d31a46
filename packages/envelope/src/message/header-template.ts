import { InvalidArgumentError } from '../errors.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import { V2_MESSAGE_ID_LENGTH, V2_MESSAGE_ID_OFFSET, serializeHeaderV2 } from '../format/header.js';
import type { EncryptedDataKey } from '../keyring/types.js';
import type { AlgorithmSuite } from '../suites.js';

/**
 * Everything of a v2 header that does not change from message to message under one data key and
 * its EDKs: all but the message id, the commitment and the tag.
 */
export interface HeaderTemplate {
  /** The header up to and including the frame length, with a zero message id. */
  readonly bytes: Uint8Array;
  /** The pairs stored in the header (the required ones are not). */
  readonly storedContext: Readonly<Record<string, string>>;
  /** The required pairs, serialized: authenticated by the header tag, not stored. */
  readonly serializedRequired: Uint8Array;
  /** Frozen, and not shared with any keyring or cache: the headers built from the template share them. */
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
}

/** What a template depends on besides the data key's entry (which fixes suite, context and EDKs). */
export function headerTemplateKey(frameLength: number, requiredKeys: readonly string[]): string {
  return JSON.stringify([frameLength, requiredKeys]);
}

export function buildHeaderTemplate(
  suite: AlgorithmSuite,
  context: Readonly<Record<string, string>>,
  requiredKeys: readonly string[],
  encryptedDataKeys: readonly EncryptedDataKey[],
  frameLength: number,
): HeaderTemplate {
  const { stored, required } = splitContext(context, requiredKeys);
  return {
    bytes: serializeHeaderV2({
      suite,
      messageId: new Uint8Array(V2_MESSAGE_ID_LENGTH),
      serializedContext: serializeEncryptionContext(stored),
      encryptedDataKeys,
      frameLength,
    }),
    storedContext: Object.freeze(stored),
    serializedRequired: serializeEncryptionContext(required),
    encryptedDataKeys: Object.freeze([...encryptedDataKeys]),
  };
}

/**
 * A header body for `messageId` with room for `tagLength` more bytes: the template, the id in its
 * place, then the commitment.
 */
export function headerBodyFrom(
  template: HeaderTemplate,
  messageId: Uint8Array,
  commitment: Uint8Array,
  tagLength: number,
): Buffer {
  const bytes = Buffer.allocUnsafe(template.bytes.length + commitment.length + tagLength);
  bytes.set(template.bytes, 0);
  bytes.set(messageId, V2_MESSAGE_ID_OFFSET);
  bytes.set(commitment, template.bytes.length);
  return bytes;
}

function splitContext(
  context: Readonly<Record<string, string>>,
  requiredKeys: readonly string[],
): { stored: Record<string, string>; required: Record<string, string> } {
  // A spread defines a "__proto__" key as an own pair; assigning one (below) needs a map without
  // a prototype, or the pair would silently vanish.
  assertRequiredKeysPresent(context, requiredKeys);
  const stored: Record<string, string> = { ...context };
  const required: Record<string, string> = Object.create(null);
  for (const key of requiredKeys) {
    required[key] = context[key]!;
    delete stored[key];
  }
  return { stored, required };
}

/** Every key `requiredContextKeys` names must be in the context: checked before any KMS call. */
export function assertRequiredKeysPresent(
  context: Readonly<Record<string, string>>,
  requiredKeys: readonly string[],
): void {
  for (const key of requiredKeys) {
    if (!Object.hasOwn(context, key)) {
      throw new InvalidArgumentError(
        `requiredContextKeys names "${key}", which is not in the encryption context`,
      );
    }
  }
}
