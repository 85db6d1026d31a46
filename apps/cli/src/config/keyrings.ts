import { type Keyring, MultiKeyring } from '@polykms/envelope';
import { discoveryKeyringFromFilters, keyringFromUris } from '@polykms/key-uri';
import { CliError } from '../cli-error.js';
import { providerSettingsFromEnv } from './provider-settings.js';

/** The keyring that wraps a new data key for every key URI. */
export async function encryptKeyring(keys: readonly string[] | undefined, flag = '--key'): Promise<Keyring> {
  if (!keys || keys.length === 0) {
    throw new CliError(
      `name at least one ${flag} (e.g. ${flag} local://app.key or ${flag} aws-kms://arn:aws:kms:…)`,
    );
  }
  return keyringFromUris(keys, { ...providerSettingsFromEnv(), purpose: 'encrypt' });
}

/** The keyring that may open a message: the allowed keys and/or the discovery filters. */
export async function decryptKeyring(
  keys: readonly string[] | undefined,
  discovery: readonly string[] | undefined,
): Promise<Keyring> {
  const settings = {
    ...providerSettingsFromEnv(),
    purpose: 'decrypt' as const,
  };
  const keyrings: Keyring[] = [];
  if (keys && keys.length > 0) keyrings.push(await keyringFromUris(keys, settings));
  if (discovery && discovery.length > 0)
    keyrings.push(await discoveryKeyringFromFilters(discovery, settings));
  const [first, ...rest] = keyrings;
  if (!first) {
    throw new CliError(
      'say which keys may decrypt: --key URI (one of the recipients that `polykms inspect` lists) ' +
        'or --discovery FILTER (e.g. --discovery aws-kms://aws/111122223333)',
    );
  }
  return rest.length === 0 ? first : new MultiKeyring({ children: keyrings });
}
