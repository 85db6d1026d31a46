import type { CryptographyClientOptions } from '@azure/keyvault-keys';
import {
  type EncryptedDataKey,
  InvalidArgumentError,
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  UnsupportedError,
  type WrapResult,
  unwrapFirst,
} from '@polykms/envelope';
import { AzureClients, type AzureTokenCredential } from './clients.js';
import { PROVIDER_ID } from './error-table.js';
import type { AzureKeyId } from './key-id.js';
import { edkKeyId, openEdk } from './open-edk.js';

export interface AzureKeyVaultDiscoveryKeyringOptions {
  /** Only EDKs of keys in these vaults are opened, e.g. `['my-vault.vault.azure.net']` (port if not 443). */
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
    const hosts = options?.discoveryFilter?.vaultHosts;
    if (
      !Array.isArray(hosts) ||
      hosts.length === 0 ||
      !hosts.every((h) => typeof h === 'string' && h.length > 0)
    ) {
      throw new InvalidArgumentError('discoveryFilter.vaultHosts must list at least one vault host');
    }
    this.#hosts = new Set(hosts.map((h) => normaliseHost(h)));
    this.#clients = new AzureClients(options.credential, options.clientOptions);
    this.#timeoutMs = options.timeoutMs;
    this.description = `${PROVIDER_ID} discovery (${[...this.#hosts].join(', ')})`;
  }

  async wrap(): Promise<WrapResult> {
    throw new UnsupportedError(`${this.description} is decrypt-only: a discovery keyring never encrypts`, {
      provider: PROVIDER_ID,
    });
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const ids = new Map<EncryptedDataKey, AzureKeyId>();
    for (const edk of request.encryptedDataKeys) {
      const id = edkKeyId(edk);
      if (id !== undefined && this.#hosts.has(id.host)) ids.set(edk, id);
    }
    const open = {
      clients: this.#clients,
      suite: request.suite,
      signal: request.signal,
      timeoutMs: this.#timeoutMs,
    };
    return unwrapFirst(
      request.encryptedDataKeys,
      (edk) => ids.has(edk),
      (edk) => openEdk(open, edk, ids.get(edk) as AzureKeyId),
      (edk) => `${PROVIDER_ID} ${ids.get(edk)?.text ?? ''}`,
    );
  }
}

/** Hosts compare as URL hosts do: lower case, default port dropped. */
function normaliseHost(host: string): string {
  try {
    return new URL(`https://${host}`).host;
  } catch {
    throw new InvalidArgumentError(`'${host}' is not a vault host`);
  }
}
