import type { EncryptedDataKey, KeyringScheme } from '@polykms/envelope/driver';
import { parseKeyId, parseVaultHost, sameKey } from '../key-id.js';

const PROVIDER_ID = 'azure-kv';

/** `azure-kv://<vault-host>/keys/<name>[/<version>]`. */
export interface AzureKeyVaultUriKey {
  /** `https://<vault-host>/keys/<name>[/<version>]`, as the Key Vault client takes it. */
  readonly keyId: string;
  /** Lower-cased host, with the port when it is not 443. */
  readonly vaultHost: string;
  readonly keyName: string;
  /** Undefined = the latest version for wrapping; any version of the key on decrypt. */
  readonly version: string | undefined;
}

/** `azure-kv://<vault-host>`. */
export interface AzureKeyVaultUriFilter {
  readonly vaultHosts: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * The `azure-kv://` key URI scheme: the text after `azure-kv://` is a key id without its
 * `https://`, judged by the same parser as `AzureKeyVaultKeyring`. Loads no Azure SDK.
 */
export const azureKeyVaultKeyringScheme: KeyringScheme<AzureKeyVaultUriKey, AzureKeyVaultUriFilter> = {
  scheme: PROVIDER_ID,
  providerId: PROVIDER_ID,
  keyForm: 'azure-kv://<vault-host>/keys/<name>[/<version>]',
  parseKey(rest) {
    const key = /^[^/?#@]+\//.test(rest) ? parseKeyId(`https://${rest}`) : undefined;
    return key && { keyId: key.text, vaultHost: key.host, keyName: key.name, version: key.version };
  },
  async keyring(key, { settings }) {
    const { AzureKeyVaultKeyring } = await import('../index.js');
    return new AzureKeyVaultKeyring({ ...settings, keyId: key.keyId });
  },
  edkMatchesKey(key, edk: EncryptedDataKey) {
    if (edk.providerId !== PROVIDER_ID) return false;
    const named = parseKeyId(utf8.decode(edk.providerInfo));
    const wanted = parseKeyId(key.keyId);
    if (named?.version === undefined || wanted === undefined || !sameKey(named, wanted)) return false;
    return key.version === undefined || named.version.toLowerCase() === key.version.toLowerCase();
  },
  keyUriOfEdk(providerInfo) {
    const key = parseKeyId(providerInfo);
    return key && `azure-kv://${key.text.slice('https://'.length)}`;
  },
  discovery: {
    form: 'azure-kv://<vault-host>, e.g. azure-kv://myvault.vault.azure.net',
    parse(rest) {
      const host = parseVaultHost(rest.replace(/\/$/, ''));
      return host === undefined ? undefined : { vaultHosts: [host] };
    },
    // One keyring takes any number of vaults.
    merge: (filters) => [{ vaultHosts: [...new Set(filters.flatMap((f) => f.vaultHosts))] }],
    async keyring(filter, { settings }) {
      const { AzureKeyVaultDiscoveryKeyring } = await import('../index.js');
      return new AzureKeyVaultDiscoveryKeyring({
        ...settings,
        discoveryFilter: { vaultHosts: filter.vaultHosts },
      });
    },
  },
};
