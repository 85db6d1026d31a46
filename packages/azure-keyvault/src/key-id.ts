import { domainToUnicode } from 'node:url';

/** A Key Vault key identifier: `https://<vault-host>/keys/<name>[/<version>]`. */
export interface AzureKeyId {
  /** `https://<host>[:port]`, host lower-cased. */
  readonly vaultUrl: string;
  /** Lower-cased host, with the port when it is not 443. */
  readonly host: string;
  readonly name: string;
  readonly version: string | undefined;
  /** The identifier as given, normalised (lower-case host, no trailing slash). */
  readonly text: string;
}

/** Longest key id we read from an EDK: a vault host, a 127-character name and a version fit easily. */
export const MAX_KEY_ID_LENGTH = 1024;

const KEY_PATH = /^\/keys\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]{1,64}))?\/?$/;

/** Parses a key id; undefined when it is not one (wrong scheme, path, or extra parts). */
export function parseKeyId(text: string): AzureKeyId | undefined {
  if (text.length > MAX_KEY_ID_LENGTH) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) return undefined;
  const match = KEY_PATH.exec(url.pathname);
  if (!match?.[1]) return undefined;
  const vaultUrl = `https://${url.host}`;
  const name = match[1];
  const version = match[2];
  return {
    vaultUrl,
    host: url.host,
    name,
    version,
    text: `${vaultUrl}/keys/${name}${version ? `/${version}` : ''}`,
  };
}

/** Same vault and key, whatever the version. Key Vault names and hosts ignore case. */
export function sameKey(a: AzureKeyId, b: AzureKeyId): boolean {
  return a.host === b.host && a.name.toLowerCase() === b.name.toLowerCase();
}

/**
 * A vault host as written in a discovery filter, normalised as `parseKeyId` normalises the host
 * of a key id (lower case, punycode, no `:443`), so that the two compare. Undefined unless the
 * entry is just a host with an optional port: URL parsing alone would turn
 * `evil.example#.vault.azure.net` or `x@evil.example` into `evil.example`, and a key id into
 * its whole vault.
 */
export function parseVaultHost(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(`https://${entry}`);
  } catch {
    return undefined;
  }
  const written = entry.toLowerCase().replace(/:443$/, '');
  if (url.host === written) return url.host;
  // An internationalised name written in Unicode: the URL holds its punycode form.
  const unicode = `${domainToUnicode(url.hostname)}${url.port ? `:${url.port}` : ''}`;
  return unicode === written ? url.host : undefined;
}
