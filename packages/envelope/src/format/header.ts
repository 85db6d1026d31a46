import type { EncryptedDataKey } from '../keyring/types.js';
import { LimitExceededError, MalformedMessageError } from '../errors.js';
import { DEFAULT_MAX_ENCRYPTED_DATA_KEYS, DEFAULT_MAX_HEADER_BYTES } from '../limits.js';
import { type AlgorithmSuite, suiteFromId } from '../suites.js';
import { parseEncryptionContext } from './encryption-context.js';
import { assertWithinMaxFrameLength } from './max-frame-length.js';
import { ByteReader, TruncatedInputError } from './reader.js';
import { utf8DecodeStrict, utf8Encode } from './utf8.js';
import { ByteWriter } from './writer.js';

export type ContentType = 'framed' | 'non-framed';

/** The parsed header of a message. Byte fields are views into the message. */
export interface MessageHeader {
  readonly version: 1 | 2;
  readonly suite: AlgorithmSuite;
  /** 16 bytes (v1) or 32 bytes (v2). */
  readonly messageId: Uint8Array;
  /** The pairs stored in the message (required pairs are not among them). */
  readonly encryptionContext: Readonly<Record<string, string>>;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly contentType: ContentType;
  /** 0 for non-framed messages. */
  readonly frameLength: number;
  /** v1: the header IV field; v2: 12 zero bytes (implicit). */
  readonly headerIv: Uint8Array;
  /** v2 only. */
  readonly commitment: Uint8Array | undefined;
  readonly headerTag: Uint8Array;
  /** The header bytes that the header tag authenticates (everything before the auth fields). */
  readonly authenticatedBytes: Uint8Array;
  /** Total header length including the auth fields: the body starts here. */
  readonly length: number;
}

export interface HeaderLimits {
  readonly maxEncryptedDataKeys?: number | undefined;
  readonly maxHeaderBytes?: number | undefined;
  /**
   * Largest frame length accepted; undefined = any the format allows. Checked here for framed
   * messages; a non-framed body's one block is held to it by `BodyDecryptor`.
   */
  readonly maxFrameLength?: number | undefined;
  /** Most frames decrypted from one message (default DEFAULT_MAX_FRAMES); see `assertWithinMaxFrames`. */
  readonly maxFrames?: number | undefined;
}

const V1_TYPE = 0x80;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const COMMITMENT_LENGTH = 32;
/** A v2 header: version (1), suite id (2), then the 32-byte message id. */
export const V2_MESSAGE_ID_OFFSET = 3;
export const V2_MESSAGE_ID_LENGTH = 32;
const ZERO_IV = new Uint8Array(IV_LENGTH);

/** Reads a header from the start of `bytes`, or throws a typed error saying what is wrong. */
export function parseHeader(bytes: Uint8Array, limits: HeaderLimits = {}): MessageHeader {
  const maxEdks = limits.maxEncryptedDataKeys ?? DEFAULT_MAX_ENCRYPTED_DATA_KEYS;
  const maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const reader = new ByteReader(bytes.length > maxHeaderBytes ? bytes.subarray(0, maxHeaderBytes) : bytes);
  const truncatedByLimit = bytes.length > maxHeaderBytes;
  try {
    return readHeader(reader, maxEdks, limits.maxFrameLength);
  } catch (error) {
    if (truncatedByLimit && error instanceof TruncatedInputError) {
      throw new LimitExceededError(`the message header is longer than maxHeaderBytes (${maxHeaderBytes})`);
    }
    throw error;
  }
}

function readHeader(reader: ByteReader, maxEdks: number, maxFrameLength: number | undefined): MessageHeader {
  const version = reader.u8('version');
  if (version !== 1 && version !== 2) {
    throw new MalformedMessageError(`unsupported message version ${version}`);
  }
  if (version === 1) {
    const type = reader.u8('message type');
    if (type !== V1_TYPE) throw new MalformedMessageError(`unsupported message type ${type}`);
  }
  const suite = suiteFromId(reader.u16('algorithm suite id'));
  if (suite.messageFormat !== version) {
    throw new MalformedMessageError(`suite ${suite.name} does not belong in a version ${version} message`);
  }
  const messageId = reader.bytesOf(version === 1 ? 16 : 32, 'message id');
  const encryptionContext = parseEncryptionContext(reader.u16Prefixed('encryption context'));
  const edkCount = reader.u16('encrypted data key count');
  if (edkCount === 0) throw new MalformedMessageError('the message has no encrypted data keys');
  if (edkCount > maxEdks) {
    throw new LimitExceededError(
      `the message has ${edkCount} encrypted data keys, more than maxEncryptedDataKeys (${maxEdks})`,
    );
  }
  const encryptedDataKeys: EncryptedDataKey[] = [];
  for (let i = 0; i < edkCount; i++) {
    const providerIdBytes = reader.u16Prefixed('EDK provider id');
    let providerId: string;
    try {
      providerId = utf8DecodeStrict(providerIdBytes);
    } catch {
      throw new MalformedMessageError('an EDK provider id is not valid UTF-8');
    }
    const providerInfo = reader.u16Prefixed('EDK provider info');
    const ciphertext = reader.u16Prefixed('EDK ciphertext');
    encryptedDataKeys.push(Object.freeze({ providerId, providerInfo, ciphertext }));
  }
  const contentTypeByte = reader.u8('content type');
  if (contentTypeByte !== 1 && contentTypeByte !== 2) {
    throw new MalformedMessageError(`unknown content type ${contentTypeByte}`);
  }
  const contentType: ContentType = contentTypeByte === 2 ? 'framed' : 'non-framed';
  if (version === 1) {
    if (reader.u32('reserved field') !== 0) throw new MalformedMessageError('the reserved field is not zero');
    const ivLength = reader.u8('IV length');
    if (ivLength !== IV_LENGTH)
      throw new MalformedMessageError(`IV length ${ivLength} does not match the suite`);
  }
  const frameLength = reader.u32('frame length');
  // A non-framed body's length (frame length 0 here) is only known from the body: BodyDecryptor checks it.
  assertWithinMaxFrameLength('frame', frameLength, maxFrameLength);
  if (contentType === 'framed' && frameLength === 0)
    throw new MalformedMessageError('a framed message has frame length 0');
  if (contentType === 'non-framed' && frameLength !== 0) {
    throw new MalformedMessageError('a non-framed message has a non-zero frame length');
  }
  if (version === 2 && contentType !== 'framed')
    throw new MalformedMessageError('version 2 messages must be framed');
  // v2's commitment key is suite data, part of the header body the tag authenticates; v1's IV is not.
  const commitment = version === 2 ? reader.bytesOf(COMMITMENT_LENGTH, 'commitment key') : undefined;
  const authenticatedBytes = reader.bytes.subarray(0, reader.offset);
  const headerIv = version === 1 ? reader.bytesOf(IV_LENGTH, 'header IV') : ZERO_IV;
  const headerTag = reader.bytesOf(TAG_LENGTH, 'header tag');
  return Object.freeze({
    version,
    suite,
    messageId,
    encryptionContext,
    encryptedDataKeys: Object.freeze(encryptedDataKeys),
    contentType,
    frameLength,
    headerIv,
    commitment,
    headerTag,
    authenticatedBytes,
    length: reader.offset,
  });
}

export interface HeaderFields {
  readonly suite: AlgorithmSuite;
  readonly messageId: Uint8Array;
  /** Serialized stored context (zero bytes when empty). */
  readonly serializedContext: Uint8Array;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly frameLength: number;
}

/** Serializes a v2 framed header up to (not including) the commitment key and the tag. */
export function serializeHeaderV2(fields: HeaderFields): Uint8Array {
  const writer = new ByteWriter()
    .u8(2)
    .u16(fields.suite.id)
    .bytes(fields.messageId)
    .u16Prefixed(fields.serializedContext)
    .u16(fields.encryptedDataKeys.length);
  for (const edk of fields.encryptedDataKeys) {
    writer.u16Prefixed(utf8Encode(edk.providerId)).u16Prefixed(edk.providerInfo).u16Prefixed(edk.ciphertext);
  }
  return writer.u8(2).u32(fields.frameLength).finish();
}
