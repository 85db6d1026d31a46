import type { EncryptedDataKey, KeyringScheme } from '@polykms/envelope/driver';
import { parseCryptoKeyName, parseCryptoKeyVersionName, parseProjectFilter } from '../names.js';

const PROVIDER_ID = 'gcp-kms';

/** `gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`: a CryptoKey, never a version. */
export interface GcpKmsUriKey {
  readonly keyName: string;
  readonly project: string;
  readonly location: string;
}

/** `gcp-kms://projects/<project>[/locations/<location>]`. */
export interface GcpKmsUriFilter {
  readonly projects: readonly string[];
  /** Empty = any location. */
  readonly locations: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * The `gcp-kms://` key URI scheme, judged by the same name grammar as `GcpKmsKeyring` (so a
 * domain-scoped project such as `example.com:p` is accepted by both). Loads no Google client.
 */
export const gcpKmsKeyringScheme: KeyringScheme<GcpKmsUriKey, GcpKmsUriFilter> = {
  scheme: PROVIDER_ID,
  providerId: PROVIDER_ID,
  keyForm: 'gcp-kms://projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>',
  parseKey(rest) {
    const key = parseCryptoKeyName(rest);
    return key && { keyName: key.name, project: key.project, location: key.location };
  },
  async keyring(key, { settings }) {
    const { GcpKmsKeyring } = await import('../index.js');
    return new GcpKmsKeyring({ ...settings, keyName: key.keyName });
  },
  edkMatchesKey(key, edk: EncryptedDataKey) {
    if (edk.providerId !== PROVIDER_ID) return false;
    return parseCryptoKeyVersionName(utf8.decode(edk.providerInfo))?.cryptoKey.name === key.keyName;
  },
  keyUriOfEdk(providerInfo) {
    const version = parseCryptoKeyVersionName(providerInfo);
    return version && `gcp-kms://${version.cryptoKey.name}`;
  },
  discovery: {
    form: 'gcp-kms://projects/<project>[/locations/<location>]',
    parse(rest) {
      const filter = parseProjectFilter(rest);
      return filter && { projects: [filter.project], locations: filter.location ? [filter.location] : [] };
    },
    // One keyring per filter: one without a location allows every location of its project.
    merge: (filters) => [...filters],
    async keyring(filter, { settings }) {
      const { GcpKmsDiscoveryKeyring } = await import('../index.js');
      return new GcpKmsDiscoveryKeyring({
        ...settings,
        discoveryFilter: {
          projects: filter.projects,
          ...(filter.locations.length > 0 ? { locations: filter.locations } : {}),
        },
      });
    },
  },
};
