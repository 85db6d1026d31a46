import { InvalidArgumentError, type Keyring, MultiKeyring } from '@polykms/envelope';
import type { SchemeKeyringOptions } from '@polykms/envelope/driver';
import { BUILT_IN_SCHEMES } from './built-in-schemes.js';
import { type DiscoveryFilter, parseDiscoveryFilters } from './discovery-filter.js';
import { importProvider } from './load-provider.js';
import type { KeyUriOptions, ProviderSettings } from './options.js';
import { type KeyUri, parseKeyUri } from './parse.js';
import { keyringSchemeOf } from './registry.js';

function keyringOptions(scheme: string, options: KeyUriOptions): SchemeKeyringOptions {
  const builtIn = BUILT_IN_SCHEMES.find((b) => b.scheme === scheme);
  const settings: ProviderSettings =
    options.settings?.[scheme] ?? (builtIn?.settingsField ? options[builtIn.settingsField] : undefined) ?? {};
  return { settings, purpose: options.purpose ?? 'encrypt-decrypt' };
}

/** What to install when making a keyring fails for want of a package. */
function packageOf(scheme: string): string {
  return BUILT_IN_SCHEMES.find((b) => b.scheme === scheme)?.packageName ?? scheme;
}

/** Builds the keyring of one parsed key URI, loading its provider's SDK on first use. */
export async function keyringFromUri(key: KeyUri, options: KeyUriOptions = {}): Promise<Keyring> {
  const scheme = keyringSchemeOf(key.scheme, key.uri);
  return importProvider(key.scheme, packageOf(key.scheme), () =>
    scheme.keyring(key, keyringOptions(key.scheme, options)),
  );
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
 * are parsed before any keyring is made, so a typo fails fast and makes no network call.
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
  const { scheme: name, ...fields } = filter;
  const discovery = keyringSchemeOf(name, `${name}://`).discovery!;
  return importProvider(name, packageOf(name), () =>
    discovery.keyring(fields, keyringOptions(name, options)),
  );
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
