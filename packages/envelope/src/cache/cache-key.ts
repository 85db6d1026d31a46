import { createHash } from 'node:crypto';
import type { EncryptionContext } from '../context.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import type { EncryptedDataKey } from '../keyring/types.js';
import type { AlgorithmSuite } from '../suites.js';

/** SHA-512 over length-prefixed parts, so that no two different part lists collide by concatenation. */
function digest(parts: readonly (Uint8Array | string)[]): string {
  const hash = createHash('sha512');
  const length = Buffer.alloc(4);
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest('base64');
}

function suiteBytes(suite: AlgorithmSuite): Uint8Array {
  return Uint8Array.of(suite.id >> 8, suite.id & 0xff);
}

export function edkDigest(edk: EncryptedDataKey): string {
  return digest([edk.providerId, edk.providerInfo, edk.ciphertext]);
}

/**
 * Encryption materials are shared only within one partition, inner keyring object (its
 * `keyringIdentity`), suite and full context.
 * Built as a string rather than a digest: it is looked up once per message, and hashing the
 * serialized context cost more than the rest of a cache hit. The context is not secret (every
 * message stores it in the clear) and the key never leaves the process.
 */
export function encryptionCacheKey(
  partition: string,
  keyringId: string,
  suite: AlgorithmSuite,
  context: EncryptionContext,
): string {
  const pairs = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return JSON.stringify(['encrypt', partition, keyringId, suite.id, pairs]);
}

/**
 * A decrypted data key is reused only for the same partition, inner keyring object, suite, context
 * and EDK set.
 */
export function decryptionCacheKey(
  partition: string,
  keyringId: string,
  suite: AlgorithmSuite,
  context: EncryptionContext,
  encryptedDataKeys: readonly EncryptedDataKey[],
): string {
  const edks = encryptedDataKeys.map(edkDigest).sort();
  return digest([
    'decrypt',
    partition,
    keyringId,
    suiteBytes(suite),
    serializeEncryptionContext(context),
    ...edks,
  ]);
}
