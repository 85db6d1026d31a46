import { isRsa } from './key-material.js';
import type { KeyVersion, StoredKey } from './store.js';

/** What the wire shows of keys: public material only, JSON field names as Key Vault spells them. */

export function keyId(vaultUrl: string, key: StoredKey, version?: KeyVersion): string {
  const base = `${vaultUrl}/keys/${encodeURIComponent(key.name)}`;
  return version === undefined ? base : `${base}/${version.version}`;
}

function attributes(version: KeyVersion) {
  return {
    enabled: version.enabled,
    ...(version.notBefore === undefined ? {} : { nbf: version.notBefore }),
    ...(version.expires === undefined ? {} : { exp: version.expires }),
    created: version.created,
    updated: version.updated,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
    exportable: false,
  };
}

export function keyBundle(vaultUrl: string, key: StoredKey, version: KeyVersion) {
  const publicPart = isRsa(version.kty) ? { n: version.jwk.n, e: version.jwk.e } : {};
  return {
    key: { kid: keyId(vaultUrl, key, version), kty: version.kty, key_ops: version.keyOps, ...publicPart },
    attributes: attributes(version),
    tags: version.tags,
  };
}

/** A list entry: `withVersion` for the versions listing, the bare key id for the keys listing. */
export function keyItem(vaultUrl: string, key: StoredKey, version: KeyVersion, withVersion: boolean) {
  return {
    kid: keyId(vaultUrl, key, withVersion ? version : undefined),
    attributes: attributes(version),
    tags: version.tags,
  };
}

export function deletedKeyBundle(vaultUrl: string, key: StoredKey, version: KeyVersion) {
  return {
    ...keyBundle(vaultUrl, key, version),
    recoveryId: `${vaultUrl}/deletedkeys/${encodeURIComponent(key.name)}`,
    deletedDate: key.deleted?.deletedDate,
    scheduledPurgeDate: key.deleted?.scheduledPurgeDate,
  };
}
