import type { Keyring } from '@polykms/envelope';
import type { AzureDiscoveryFilter } from '../discovery-filter.js';
import { importProvider } from '../load-provider.js';
import type { ProviderSettings } from '../options.js';
import type { AzureKeyVaultKeyUri } from '../parse.js';
import { keyringClass } from './types.js';

const PACKAGE = '@polykms/azure-keyvault';

async function load(): Promise<Record<string, unknown>> {
  return importProvider('azure-kv', PACKAGE, () => import('@polykms/azure-keyvault'));
}

export async function azureKeyring(
  key: AzureKeyVaultKeyUri,
  settings: ProviderSettings = {},
): Promise<Keyring> {
  const AzureKeyVaultKeyring = keyringClass(await load(), 'AzureKeyVaultKeyring', PACKAGE);
  return new AzureKeyVaultKeyring({ ...settings, keyId: key.keyId });
}

export async function azureDiscoveryKeyring(
  filter: AzureDiscoveryFilter,
  settings: ProviderSettings = {},
): Promise<Keyring> {
  const AzureKeyVaultDiscoveryKeyring = keyringClass(await load(), 'AzureKeyVaultDiscoveryKeyring', PACKAGE);
  return new AzureKeyVaultDiscoveryKeyring({
    ...settings,
    discoveryFilter: { vaultHosts: filter.vaultHosts },
  });
}
