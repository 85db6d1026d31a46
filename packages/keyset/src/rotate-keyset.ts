import { randomBytes } from 'node:crypto';
import { LimitExceededError } from '@polykms/envelope';
import { MAX_KEYSET_VERSIONS, MAX_VERSION_NUMBER, VERSION_KEY_BYTES } from './limits.js';
import { type KeysetChangeOptions, rewriteKeyset } from './rewrite-keyset.js';

/**
 * Adds a version with a new random key and makes it the primary; the old primary stays active
 * (it still unwraps). Revokes nothing: see the README, "What a rotation does not revoke".
 */
export async function rotateKeyset(message: Uint8Array, options: KeysetChangeOptions): Promise<Uint8Array> {
  const key = randomBytes(VERSION_KEY_BYTES);
  try {
    return await rewriteKeyset(message, options, (versions) => {
      if (versions.length >= MAX_KEYSET_VERSIONS) {
        // No operation drops a version (data may still be wrapped under any of them): a keyset this
        // full is replaced by a new one, its data re-encrypted.
        throw new LimitExceededError(
          `the keyset holds ${versions.length} versions, the most it may: create a new keyset and re-encrypt its data under it`,
        );
      }
      const version = Math.max(...versions.map((v) => v.version)) + 1;
      if (version > MAX_VERSION_NUMBER) {
        throw new LimitExceededError(
          `the keyset's highest version is ${version - 1}, the last a u32 can number`,
        );
      }
      return [
        ...versions.map((v) => (v.state === 'primary' ? { ...v, state: 'active' as const } : v)),
        { version, state: 'primary', createdAt: new Date(), key },
      ];
    });
  } finally {
    key.fill(0);
  }
}
