import type { CryptographyClientOptions } from '@azure/keyvault-keys';
import {
  InvalidArgumentError,
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapResult,
  checkTimeoutMs,
  discoveryCannotEncrypt,
  discoveryFilterSet,
} from '@polykms/envelope';
import { AzureClients, type AzureTokenCredential } from './clients.js';
import { PROVIDER_ID } from './error-table.js';
import { parseVaultHost } from './key-id.js';
import { unwrapMatching } from './unwrap-matching.js';

export interface AzureKeyVaultDiscoveryKeyringOptions {
  /** Only EDKs of keys in these vaults are opened: bare hosts, e.g. `['my-vault.vault.azure.net']` (port if not 443). */
  readonly discoveryFilter: { readonly vaultHosts: readonly string[] };
  readonly credential?: AzureTokenCredential | undefined;
  readonly clientOptions?: CryptographyClientOptions | undefined;
  readonly timeoutMs?: number | undefined;
}

/**
 * Decrypt-only: opens any `azure-kv` EDK whose vault host passes the filter, with the key
 * version the EDK names, and checks the vault's answer names that version. It never encrypts.
 */
export class AzureKeyVaultDiscoveryKeyring implements Keyring {
  readonly description: string;
  readonly #hosts: ReadonlySet<string>;
  readonly #clients: AzureClients;
  readonly #timeoutMs: number | undefined;

  constructor(options: AzureKeyVaultDiscoveryKeyringOptions) {
    const hosts = discoveryFilterSet(options?.discoveryFilter?.vaultHosts, {
      provider: PROVIDER_ID,
      field: 'discoveryFilter.vaultHosts',
      entry: 'vault host',
    });
    checkTimeoutMs(options.timeoutMs, PROVIDER_ID);
    this.#hosts = new Set([...hosts].map(vaultHost));
    this.#clients = new AzureClients(options.credential, options.clientOptions);
    this.#timeoutMs = options.timeoutMs;
    this.description = `${PROVIDER_ID} discovery (${[...this.#hosts].join(', ')})`;
  }

  async wrap(): Promise<WrapResult> {
    throw discoveryCannotEncrypt(PROVIDER_ID, this.description, 'AzureKeyVaultKeyring');
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    return unwrapMatching(request, { clients: this.#clients, timeoutMs: this.#timeoutMs }, (id) =>
      this.#hosts.has(id.host),
    );
  }
}

/** A filter entry as the EDK hosts it is compared with are written; refused unless a bare host. */
function vaultHost(entry: string): string {
  const host = parseVaultHost(entry);
  if (host === undefined) {
    throw new InvalidArgumentError(
      `${PROVIDER_ID}: discoveryFilter.vaultHosts entry ${JSON.stringify(entry.slice(0, 200))} is not a vault host: ` +
        'give the host name alone, with a port only if it is not 443 (e.g. my-vault.vault.azure.net)',
      { provider: PROVIDER_ID },
    );
  }
  return host;
}
