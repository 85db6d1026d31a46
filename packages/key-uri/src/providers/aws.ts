import type { Keyring } from '@polykms/envelope';
import type { AwsDiscoveryFilter } from '../discovery-filter.js';
import { importProvider } from '../load-provider.js';
import type { ProviderSettings } from '../options.js';
import type { AwsKmsKeyUri } from '../parse.js';
import { keyringClass } from './types.js';

const PACKAGE = '@polykms/aws-kms';

async function load(): Promise<Record<string, unknown>> {
  return importProvider('aws-kms', PACKAGE, () => import('@polykms/aws-kms'));
}

export async function awsKeyring(key: AwsKmsKeyUri, settings: ProviderSettings = {}): Promise<Keyring> {
  const AwsKmsKeyring = keyringClass(await load(), 'AwsKmsKeyring', PACKAGE);
  return new AwsKmsKeyring({ ...settings, keyId: key.keyId });
}

export async function awsDiscoveryKeyring(
  filter: AwsDiscoveryFilter,
  settings: ProviderSettings = {},
): Promise<Keyring> {
  const AwsKmsDiscoveryKeyring = keyringClass(await load(), 'AwsKmsDiscoveryKeyring', PACKAGE);
  return new AwsKmsDiscoveryKeyring({
    ...settings,
    discoveryFilter: { partition: filter.partition, accountIds: filter.accountIds },
  });
}
