import type { CryptographyClientOptions } from '@azure/keyvault-keys';
import { InvalidArgumentError, KmsKeyring, discoveryFilterSet } from '@polykms/envelope/driver';
import { AzureClients, type AzureTokenCredential } from './clients.js';
import { type AzureKey, AzureKeyVaultDriver } from './driver.js';
import { PROVIDER_ID } from './error-table.js';
import { parseVaultHost } from './key-id.js';

export interface AzureKeyVaultDiscoveryKeyringOptions {
  /** Only EDKs of keys in these vaults are opened: bare hosts, e.g. `['my-vault.vault.azure.net']` (port if not 443). */
  readonly discoveryFilter: { readonly vaultHosts: readonly string[] };
  readonly credential?: AzureTokenCredential | undefined;
  readonly clientOptions?: CryptographyClientOptions | undefined;
  readonly timeoutMs?: number | undefined;
}

function keyringOptions(options: AzureKeyVaultDiscoveryKeyringOptions) {
  const listed = discoveryFilterSet(options?.discoveryFilter?.vaultHosts, {
    provider: PROVIDER_ID,
    field: 'discoveryFilter.vaultHosts',
    entry: 'vault host',
  });
  const hosts = new Set([...listed].map(vaultHost));
  return {
    driver: new AzureKeyVaultDriver({
      clients: new AzureClients(options.credential, options.clientOptions),
      timeoutMs: options.timeoutMs,
    }),
    timeoutMs: options.timeoutMs,
    description: `${PROVIDER_ID} discovery (${[...hosts].join(', ')})`,
    policy: {
      mode: 'discovery' as const,
      strictKeyring: 'AzureKeyVaultKeyring',
      admits: (key: AzureKey) => hosts.has(key.host),
    },
  };
}

/**
 * Decrypt-only: opens any `azure-kv` EDK whose vault host passes the filter, with the key
 * version the EDK names, and checks the vault's answer names that version. It never encrypts.
 */
export class AzureKeyVaultDiscoveryKeyring extends KmsKeyring<AzureKey> {
  constructor(options: AzureKeyVaultDiscoveryKeyringOptions) {
    super(keyringOptions(options));
  }
}

/** A filter entry as the EDK hosts it is compared with are written; refused unless a bare host. */
function vaultHost(entry: string): string {
  const host = parseVaultHost(entry);
  if (host === undefined) {
    throw new InvalidArgumentError(
      `${PROVIDER_ID}: discoveryFilter.vaultHosts entry ${JSON.stringify(entry.slice(0, 200))} is not a vault host: ` +
        'give the host name alone, with a port only if it is not 443 (e.g. my-vault.vault.azure.net)',
      { provider: PROVIDER_ID },
    );
  }
  return host;
}
