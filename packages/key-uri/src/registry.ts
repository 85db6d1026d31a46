import { InvalidArgumentError, type AnyKeyringScheme } from '@polykms/envelope/driver';
import { BUILT_IN_SCHEMES } from './built-in-schemes.js';
import { ProviderNotInstalledError, UnknownKeyUriSchemeError } from './errors.js';
import { missingPackageOf } from './load-provider.js';

const schemes = new Map<string, AnyKeyringScheme>();
/** Built-in schemes whose provider package is not installed, with why the import failed. */
const notInstalled = new Map<string, { packageName: string; cause: unknown }>();

const SCHEME_NAME = /^[a-z][a-z0-9+.-]{0,62}$/;

/**
 * Makes `scheme://…` key URIs (and, when the scheme has them, discovery filters) usable by
 * `keyringFromUris`, `parseKeyUri` and the CLI. A plug-in package calls this when it is imported,
 * or exports its scheme as `keyringScheme` for the CLI's `--plugin` to register. A scheme cannot
 * be replaced once registered: a plug-in must not take over `aws-kms://`.
 */
export function registerKeyringScheme(scheme: AnyKeyringScheme): void {
  const name = (scheme as { scheme?: unknown })?.scheme;
  if (
    typeof name !== 'string' ||
    !SCHEME_NAME.test(name) ||
    typeof scheme.keyForm !== 'string' ||
    typeof scheme.parseKey !== 'function' ||
    typeof scheme.keyring !== 'function'
  ) {
    throw new InvalidArgumentError(
      'a keyring scheme needs a lower-case scheme name, a keyForm, parseKey(rest) and keyring(key, options)',
    );
  }
  const existing = schemes.get(name);
  if (existing === scheme) return;
  if (existing !== undefined) {
    throw new InvalidArgumentError(`the key URI scheme '${name}://' is already registered`);
  }
  schemes.set(name, scheme);
  notInstalled.delete(name);
}

/** Every registered scheme, built-in ones first. */
export function keyringSchemes(): readonly AnyKeyringScheme[] {
  return [...schemes.values()];
}

/** The scheme a URI names, or the error that says what to install or which schemes exist. */
export function keyringSchemeOf(name: string | undefined, uri: string): AnyKeyringScheme {
  const scheme = name === undefined ? undefined : schemes.get(name);
  if (scheme !== undefined) return scheme;
  const missing = name === undefined ? undefined : notInstalled.get(name);
  if (missing !== undefined)
    throw new ProviderNotInstalledError(name as string, missing.packageName, missing.cause);
  throw new UnknownKeyUriSchemeError(uri, [...schemes.keys()]);
}

// The built-in schemes' grammar modules load no cloud SDK, so they are all read now, and parsing
// a URI stays synchronous; a provider package that is not installed is remembered as such.
const loaded = await Promise.all(
  BUILT_IN_SCHEMES.map(async (builtIn) => {
    try {
      return { builtIn, scheme: await builtIn.load() };
    } catch (error) {
      // Missing, or a version too old to have the ./scheme entry point: either way, not usable.
      const tooOld = (error as { code?: unknown })?.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
      if (missingPackageOf(error) === undefined && !tooOld) throw error;
      return { builtIn, error };
    }
  }),
);
for (const { builtIn, scheme, error } of loaded) {
  if (scheme) registerKeyringScheme(scheme);
  else notInstalled.set(builtIn.scheme, { packageName: builtIn.packageName, cause: error });
}
