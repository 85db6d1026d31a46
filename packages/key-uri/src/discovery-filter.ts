import { InvalidKeyUriError, UnknownKeyUriSchemeError } from './errors.js';
import { splitScheme } from './parse.js';
import { keyringSchemeOf, keyringSchemes } from './registry.js';

/**
 * Discovery on decrypt: any EDK of the provider whose key passes the filter, and no other. The
 * fields are the provider's (`partition`, `accountIds` for AWS; `projects`, `locations` for
 * Google Cloud; `vaultHosts` for Azure).
 */
export interface DiscoveryFilter {
  readonly scheme: string;
  readonly [field: string]: unknown;
}

/**
 * Parses discovery filters with each provider's grammar and merges those of one provider as far
 * as its discovery keyring allows (AWS: one filter per partition; Google Cloud: one per project;
 * Azure: one for every vault). Providers come out in the order they are registered.
 */
export function parseDiscoveryFilters(texts: readonly string[]): DiscoveryFilter[] {
  const byScheme = new Map<string, unknown[]>();
  for (const text of texts) {
    const { scheme: name, rest } = splitScheme(text.trim());
    const scheme = keyringSchemeOf(name, text);
    if (scheme.discovery === undefined) {
      throw new UnknownKeyUriSchemeError(
        text,
        keyringSchemes()
          .filter((s) => s.discovery)
          .map((s) => s.scheme),
      );
    }
    const filter = scheme.discovery.parse(rest);
    if (filter === undefined) throw new InvalidKeyUriError(text, scheme.discovery.form);
    byScheme.set(scheme.scheme, [...(byScheme.get(scheme.scheme) ?? []), filter]);
  }
  const merged: DiscoveryFilter[] = [];
  for (const scheme of keyringSchemes()) {
    const filters = byScheme.get(scheme.scheme);
    if (filters === undefined || scheme.discovery === undefined) continue;
    for (const filter of scheme.discovery.merge(filters)) merged.push({ scheme: scheme.scheme, ...filter });
  }
  return merged;
}
