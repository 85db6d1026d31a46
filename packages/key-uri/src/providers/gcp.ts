import type { Keyring } from '@polykms/envelope';
import type { GcpDiscoveryFilter } from '../discovery-filter.js';
import { importProvider } from '../load-provider.js';
import type { ProviderSettings } from '../options.js';
import type { GcpKmsKeyUri } from '../parse.js';
import { keyringClass } from './types.js';

const PACKAGE = '@polykms/gcp-kms';

async function load(): Promise<Record<string, unknown>> {
  return importProvider('gcp-kms', PACKAGE, () => import('@polykms/gcp-kms'));
}

export async function gcpKeyring(key: GcpKmsKeyUri, settings: ProviderSettings = {}): Promise<Keyring> {
  const GcpKmsKeyring = keyringClass(await load(), 'GcpKmsKeyring', PACKAGE);
  return new GcpKmsKeyring({ ...settings, keyName: key.keyName });
}

export async function gcpDiscoveryKeyring(
  filter: GcpDiscoveryFilter,
  settings: ProviderSettings = {},
): Promise<Keyring> {
  const GcpKmsDiscoveryKeyring = keyringClass(await load(), 'GcpKmsDiscoveryKeyring', PACKAGE);
  return new GcpKmsDiscoveryKeyring({
    ...settings,
    discoveryFilter: {
      projects: filter.projects,
      ...(filter.locations.length > 0 ? { locations: filter.locations } : {}),
    },
  });
}
