import { type EncryptionContext, RESERVED_CONTEXT_PREFIX } from '../context.js';
import { InvalidArgumentError, MalformedMessageError } from '../errors.js';
import { ByteReader, TruncatedInputError } from './reader.js';
import { isWellFormedText, utf8DecodeStrict, utf8Encode, utf8Length } from './utf8.js';
import { ByteWriter } from './writer.js';

const MAX_SERIALIZED_CONTEXT = 0xffff;

interface EncodedPair {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function checkPair(key: string, value: unknown): asserts value is string {
  if (typeof value !== 'string')
    throw new InvalidArgumentError(`encryption context value for "${key}" is not a string`);
  if (key.length === 0) throw new InvalidArgumentError('encryption context keys must not be empty');
  if (!isWellFormedText(key) || !isWellFormedText(value)) {
    throw new InvalidArgumentError(
      `encryption context pair ${JSON.stringify(key)} holds a lone UTF-16 surrogate, which UTF-8 cannot encode`,
    );
  }
}

function checkFieldLengths(keyLength: number, valueLength: number): void {
  if (keyLength > 0xffff || valueLength > 0xffff) {
    throw new InvalidArgumentError('an encryption context key or value is longer than 65,535 bytes');
  }
}

function checkSerializedLength(length: number): void {
  if (length > MAX_SERIALIZED_CONTEXT) {
    throw new InvalidArgumentError('the serialized encryption context is longer than 65,535 bytes');
  }
}

/**
 * Throws exactly what `serializeEncryptionContext` would, without building the bytes: for a
 * caller that must refuse a context before a KMS call but may not need its serialization.
 */
export function assertSerializableContext(context: EncryptionContext): void {
  const keys = Object.keys(context);
  if (keys.length > 0xffff) throw new InvalidArgumentError('the encryption context has too many pairs');
  let length = keys.length === 0 ? 0 : 2;
  for (const key of keys) {
    const value = context[key];
    checkPair(key, value);
    const keyLength = utf8Length(key);
    const valueLength = utf8Length(value);
    checkFieldLengths(keyLength, valueLength);
    length += 4 + keyLength + valueLength;
  }
  checkSerializedLength(length);
}

/**
 * The ESDK serialization: u16 pair count, then u16-length-prefixed key and value per pair, sorted
 * by the raw UTF-8 bytes of the key. An empty context serializes to zero bytes.
 */
export function serializeEncryptionContext(context: EncryptionContext): Uint8Array {
  const entries = Object.entries(context);
  if (entries.length === 0) return new Uint8Array(0);
  if (entries.length > 0xffff) throw new InvalidArgumentError('the encryption context has too many pairs');
  const pairs: EncodedPair[] = entries.map(([key, value]) => {
    checkPair(key, value);
    return { key: utf8Encode(key), value: utf8Encode(value) };
  });
  pairs.sort((a, b) => compareBytes(a.key, b.key));
  const writer = new ByteWriter().u16(pairs.length);
  for (const { key, value } of pairs) {
    checkFieldLengths(key.length, value.length);
    writer.u16Prefixed(key).u16Prefixed(value);
  }
  checkSerializedLength(writer.length);
  return writer.finish();
}

/**
 * Parses a serialized context: no duplicate keys, valid UTF-8, every byte consumed. Pair order is
 * not enforced: writers disagree on it (UTF-16 vs UTF-8 order for astral characters) and the
 * header tag authenticates the bytes as written, whatever their order.
 */
export function parseEncryptionContext(bytes: Uint8Array): Record<string, string> {
  try {
    return readPairs(new ByteReader(bytes));
  } catch (error) {
    // The field is complete (the header gave its length): running past its end is malformation,
    // not a message still arriving.
    if (error instanceof TruncatedInputError) {
      throw new MalformedMessageError('the encryption context runs past the length of its field');
    }
    throw error;
  }
}

function readPairs(reader: ByteReader): Record<string, string> {
  const context: Record<string, string> = Object.create(null);
  if (reader.remaining === 0) return context;
  const count = reader.u16('encryption context pair count');
  if (count === 0) throw new MalformedMessageError('a non-empty encryption context field holds zero pairs');
  for (let i = 0; i < count; i++) {
    const keyBytes = reader.u16Prefixed('encryption context key');
    const valueBytes = reader.u16Prefixed('encryption context value');
    let key: string;
    let value: string;
    try {
      key = utf8DecodeStrict(keyBytes);
      value = utf8DecodeStrict(valueBytes);
    } catch {
      throw new MalformedMessageError('encryption context is not valid UTF-8');
    }
    if (key in context) throw new MalformedMessageError('encryption context has a duplicate key');
    context[key] = value;
  }
  if (reader.remaining !== 0) throw new MalformedMessageError('trailing bytes after the encryption context');
  return context;
}

/** Refuses caller-supplied keys that the format reserves. */
export function assertNoReservedKeys(context: EncryptionContext): void {
  for (const key of Object.keys(context)) {
    if (key.startsWith(RESERVED_CONTEXT_PREFIX)) {
      throw new InvalidArgumentError(
        `encryption context key "${key}" uses the reserved prefix "${RESERVED_CONTEXT_PREFIX}"`,
      );
    }
  }
}
