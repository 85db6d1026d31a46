import { InvalidKeyUriError, UnknownKeyUriSchemeError } from './errors.js';

/** Discovery on decrypt: any EDK of the provider whose key passes the filter, and no other. */
export interface AwsDiscoveryFilter {
  readonly scheme: 'aws-kms';
  readonly partition: string;
  readonly accountIds: readonly string[];
}

export interface GcpDiscoveryFilter {
  readonly scheme: 'gcp-kms';
  readonly projects: readonly string[];
  /** Empty = any location. */
  readonly locations: readonly string[];
}

export interface AzureDiscoveryFilter {
  readonly scheme: 'azure-kv';
  /** Lower-cased, with the port when one was given. */
  readonly vaultHosts: readonly string[];
}

export type DiscoveryFilter = AwsDiscoveryFilter | GcpDiscoveryFilter | AzureDiscoveryFilter;

const EXPECTED = {
  'aws-kms': 'aws-kms://<partition>/<account>[,<account>…], e.g. aws-kms://aws/111122223333',
  'gcp-kms': 'gcp-kms://projects/<project>[/locations/<location>]',
  'azure-kv': 'azure-kv://<vault-host>, e.g. azure-kv://myvault.vault.azure.net',
} as const;

function parseOne(text: string): DiscoveryFilter {
  const match = /^([a-z0-9+.-]+):\/\/(.*)$/is.exec(text.trim());
  const scheme = match?.[1]?.toLowerCase();
  const rest = match?.[2] ?? '';
  switch (scheme) {
    case 'aws-kms': {
      const aws = /^(aws[a-z-]*)\/(\d{12}(?:,\d{12})*)$/.exec(rest);
      if (!aws) throw new InvalidKeyUriError(text, EXPECTED[scheme]);
      return { scheme, partition: aws[1] ?? 'aws', accountIds: (aws[2] ?? '').split(',') };
    }
    case 'gcp-kms': {
      const gcp = /^projects\/([A-Za-z0-9.:_-]+)(?:\/locations\/([A-Za-z0-9_-]+))?$/.exec(rest);
      if (!gcp) throw new InvalidKeyUriError(text, EXPECTED[scheme]);
      return { scheme, projects: [gcp[1] ?? ''], locations: gcp[2] ? [gcp[2]] : [] };
    }
    case 'azure-kv': {
      const host = rest.replace(/\/$/, '').toLowerCase();
      if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(host)) throw new InvalidKeyUriError(text, EXPECTED[scheme]);
      return { scheme, vaultHosts: [host] };
    }
    default:
      throw new UnknownKeyUriSchemeError(text);
  }
}

/**
 * Parses discovery filters and merges those of one provider: several AWS filters in one partition
 * become one filter with all their accounts (AWS discovery takes one partition per keyring, so
 * filters in two partitions stay two). GCP filters stay one per project (one without a location
 * allows every location of its project); Azure filters become one list of vault hosts.
 */
export function parseDiscoveryFilters(texts: readonly string[]): DiscoveryFilter[] {
  const aws = new Map<string, Set<string>>();
  const gcp: GcpDiscoveryFilter[] = [];
  const azure = new Set<string>();
  for (const text of texts) {
    const filter = parseOne(text);
    if (filter.scheme === 'aws-kms') {
      const accounts = aws.get(filter.partition) ?? new Set<string>();
      for (const id of filter.accountIds) accounts.add(id);
      aws.set(filter.partition, accounts);
    } else if (filter.scheme === 'gcp-kms') {
      gcp.push(filter);
    } else {
      for (const host of filter.vaultHosts) azure.add(host);
    }
  }
  const merged: DiscoveryFilter[] = [];
  for (const [partition, accounts] of aws)
    merged.push({ scheme: 'aws-kms', partition, accountIds: [...accounts] });
  merged.push(...gcp);
  if (azure.size > 0) merged.push({ scheme: 'azure-kv', vaultHosts: [...azure] });
  return merged;
}
