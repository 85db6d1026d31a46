import { randomUUID } from 'node:crypto';
import type { Keyring } from '../keyring/types.js';

const identities = new WeakMap<Keyring, string>();

/**
 * A random id for one keyring object, the same for as long as the object lives. Cache entries are
 * keyed by it, not by `description`: a description names a key but not the key material or the
 * credentials behind it (two raw AES keyrings with one namespace and name but different wrapping
 * keys describe themselves alike, and so do two AWS keyrings on one key ARN with different roles).
 * Keyed by description, one of them would get data keys from the cache that only the other can open.
 */
export function keyringIdentity(keyring: Keyring): string {
  let id = identities.get(keyring);
  if (id === undefined) {
    id = randomUUID();
    identities.set(keyring, id);
  }
  return id;
}
