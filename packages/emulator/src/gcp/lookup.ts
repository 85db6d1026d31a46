import { parseNameOf } from './names.js';
import { type Request, str } from './request.js';
import { failedPrecondition, notFound } from './errors.js';
import type { CryptoKeyRecord, GcpKeyStore, KeyRingRecord, VersionRecord } from './store.js';

export const versionName = (key: CryptoKeyRecord, version: VersionRecord): string =>
  `${key.name}/cryptoKeyVersions/${version.id}`;

/** Finds resources with the real service's NOT_FOUND and FAILED_PRECONDITION answers. */
export class Lookup {
  constructor(readonly store: GcpKeyStore) {}

  keyRing(name: string): KeyRingRecord {
    const ring = this.store.keyRings.get(name);
    if (!ring) throw notFound(`KeyRing ${name} not found.`);
    return ring;
  }

  cryptoKey(name: string): CryptoKeyRecord {
    const key = this.store.cryptoKeys.get(name);
    if (!key) throw notFound(`CryptoKey ${name} not found.`);
    return key;
  }

  version(key: CryptoKeyRecord, id: number): VersionRecord {
    const version = key.versions.get(id);
    if (!version) throw notFound(`CryptoKeyVersion ${key.name}/cryptoKeyVersions/${id} not found.`);
    return this.store.settle(version);
  }

  /** The version named by `request.name`. */
  versionByName(request: Request): { key: CryptoKeyRecord; version: VersionRecord } {
    const parsed = parseNameOf(str(request, 'name'), 'cryptoKeyVersion', 'name');
    const key = this.cryptoKey(parsed.cryptoKey);
    return { key, version: this.version(key, parsed.versionId) };
  }
}

export function requireEnabled(key: CryptoKeyRecord, version: VersionRecord): void {
  if (version.state !== 'ENABLED') {
    throw failedPrecondition(
      `${versionName(key, version)} is not enabled, current state is: ${version.state}.`,
    );
  }
}
