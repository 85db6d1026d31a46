import type { AnyKeyringScheme } from '@polykms/envelope/driver';
import { localKeyringScheme } from './providers/local.js';

export interface BuiltInScheme {
  readonly scheme: string;
  /** What to install when it is missing. */
  readonly packageName: string;
  /** The provider's scheme module: its key-name grammar, without its cloud SDK. */
  readonly load: () => Promise<AnyKeyringScheme>;
  /** The `KeyUriOptions` field that carries its settings (`aws`, `gcp`, `azure`). */
  readonly settingsField?: 'aws' | 'gcp' | 'azure';
}

/** The schemes key URIs know without a plug-in, in the order error messages list them. */
export const BUILT_IN_SCHEMES: readonly BuiltInScheme[] = [
  {
    scheme: 'aws-kms',
    packageName: '@polykms/aws-kms',
    settingsField: 'aws',
    load: async () => (await import('@polykms/aws-kms/scheme')).awsKmsKeyringScheme,
  },
  {
    scheme: 'gcp-kms',
    packageName: '@polykms/gcp-kms',
    settingsField: 'gcp',
    load: async () => (await import('@polykms/gcp-kms/scheme')).gcpKmsKeyringScheme,
  },
  {
    scheme: 'azure-kv',
    packageName: '@polykms/azure-keyvault',
    settingsField: 'azure',
    load: async () => (await import('@polykms/azure-keyvault/scheme')).azureKeyVaultKeyringScheme,
  },
  { scheme: 'local', packageName: '@polykms/local', load: async () => localKeyringScheme },
];
