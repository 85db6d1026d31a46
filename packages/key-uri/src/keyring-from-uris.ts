import { InvalidArgumentError, type Keyring, MultiKeyring } from '@polykms/envelope';
import { type DiscoveryFilter, parseDiscoveryFilters } from './discovery-filter.js';
import { InvalidKeyUriError } from './errors.js';
import type { KeyUriOptions } from './options.js';
import { type KeyUri, parseKeyUri } from './parse.js';
import { awsDiscoveryKeyring, awsKeyring } from './providers/aws.js';
import { azureDiscoveryKeyring, azureKeyring } from './providers/azure.js';
import { gcpDiscoveryKeyring, gcpKeyring } from './providers/gcp.js';
import { localKeyring } from './providers/local.js';

/** Builds the keyring of one parsed key URI, loading its provider package on first use. */
export async function keyringFromUri(key: KeyUri, options: KeyUriOptions = {}): Promise<Keyring> {
  switch (key.scheme) {
    case 'aws-kms':
      if (key.kind === 'alias' && options.purpose === 'decrypt') {
        throw new InvalidKeyUriError(
          key.uri,
          'a key ARN (aws-kms://arn:aws:kms:<region>:<account>:key/<key-id>) to decrypt: ' +
            'an encrypted data key names the key, never the alias',
        );
      }
      return awsKeyring(key, options.aws);
    case 'gcp-kms':
      return gcpKeyring(key, options.gcp);
    case 'azure-kv':
      return azureKeyring(key, options.azure);
    case 'local':
      return localKeyring(key);
  }
}

function combine(keyrings: Keyring[], withGenerator: boolean): Keyring {
  if (keyrings.length === 1) return keyrings[0]!;
  return withGenerator
    ? new MultiKeyring({ generator: keyrings[0], children: keyrings.slice(1) })
    : new MultiKeyring({ children: keyrings });
}

/**
 * Turns key URIs into one keyring: the URI's keyring for one, a multi-keyring for several (the
 * first creates the data key and every one wraps it, so each of them alone can decrypt). All URIs
 * are parsed before any provider is loaded, so a typo fails fast and makes no network call.
 */
export async function keyringFromUris(
  uris: readonly string[],
  options: KeyUriOptions = {},
): Promise<Keyring> {
  if (uris.length === 0) throw new InvalidArgumentError('at least one key URI is needed');
  const keys = uris.map(parseKeyUri);
  const keyrings = await Promise.all(keys.map((key) => keyringFromUri(key, options)));
  return combine(keyrings, true);
}

async function discoveryKeyring(filter: DiscoveryFilter, options: KeyUriOptions): Promise<Keyring> {
  switch (filter.scheme) {
    case 'aws-kms':
      return awsDiscoveryKeyring(filter, options.aws);
    case 'gcp-kms':
      return gcpDiscoveryKeyring(filter, options.gcp);
    case 'azure-kv':
      return azureDiscoveryKeyring(filter, options.azure);
  }
}

/**
 * A decrypt-only keyring that opens any EDK of the named providers whose key passes the filters
 * (see parseDiscoveryFilters for the syntax). It never encrypts.
 */
export async function discoveryKeyringFromFilters(
  filters: readonly string[],
  options: KeyUriOptions = {},
): Promise<Keyring> {
  if (filters.length === 0) throw new InvalidArgumentError('at least one discovery filter is needed');
  const parsed = parseDiscoveryFilters(filters);
  const keyrings = await Promise.all(parsed.map((filter) => discoveryKeyring(filter, options)));
  return combine(keyrings, false);
}
