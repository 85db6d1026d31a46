import { InvalidKeyUriError } from './errors.js';
import { keyringSchemeOf, keyringSchemes } from './registry.js';

/**
 * A parsed key URI: its scheme, the URI as given, and the fields the scheme's provider read from
 * it (e.g. `keyId`, `kind`, `region` for `aws-kms://`; `keyName`, `project`, `location` for
 * `gcp-kms://`; `path` for `local://`).
 */
export interface KeyUri {
  readonly scheme: string;
  readonly uri: string;
  readonly [field: string]: unknown;
}

/** `scheme://rest`, the scheme lower-cased; the scheme is undefined when there is none. */
export function splitScheme(text: string): { scheme: string | undefined; rest: string } {
  const match = /^([a-z0-9+.-]+):\/\/(.*)$/is.exec(text);
  return { scheme: match?.[1]?.toLowerCase(), rest: match?.[2] ?? '' };
}

/**
 * Parses one key URI with the grammar of the provider that owns its scheme, or throws a typed
 * error that shows the expected form (or what to install, or which schemes exist).
 */
export function parseKeyUri(uri: string): KeyUri {
  const { scheme: name, rest } = splitScheme(uri.trim());
  const scheme = keyringSchemeOf(name, uri);
  const fields = scheme.parseKey(rest);
  if (fields === undefined) throw new InvalidKeyUriError(uri, scheme.keyForm);
  return { ...fields, scheme: scheme.scheme, uri };
}

/** The URI of an EDK's key, when its provider names one in the header (the cloud providers). */
export function keyUriOfEncryptedDataKey(providerId: string, providerInfo: string): string | undefined {
  for (const scheme of keyringSchemes()) {
    if (scheme.providerId === providerId && scheme.keyUriOfEdk) return scheme.keyUriOfEdk(providerInfo);
  }
  return undefined;
}
