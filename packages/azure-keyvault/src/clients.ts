import { DefaultAzureCredential } from '@azure/identity';
import { CryptographyClient, type CryptographyClientOptions, KeyClient } from '@azure/keyvault-keys';

/** `@azure/core-auth`'s TokenCredential, named through the client that takes it. */
export type AzureTokenCredential = ConstructorParameters<typeof KeyClient>[1];

/** Enough for a discovery keyring that meets many keys; the oldest client is dropped beyond it. */
const MAX_CACHED_CLIENTS = 64;

/**
 * The official clients a keyring talks through, one per key id (a CryptographyClient caches the
 * key it fetched and its token), built on first use with the default credential chain unless one
 * was given.
 */
export class AzureClients {
  readonly #options: CryptographyClientOptions;
  #credential: AzureTokenCredential | undefined;
  readonly #crypto = new Map<string, CryptographyClient>();
  readonly #keys = new Map<string, KeyClient>();

  constructor(credential: AzureTokenCredential | undefined, options: CryptographyClientOptions = {}) {
    this.#credential = credential;
    this.#options = options;
  }

  get #token(): AzureTokenCredential {
    this.#credential ??= new DefaultAzureCredential();
    return this.#credential;
  }

  crypto(keyId: string): CryptographyClient {
    return cached(this.#crypto, keyId, () => new CryptographyClient(keyId, this.#token, this.#options));
  }

  keys(vaultUrl: string): KeyClient {
    return cached(this.#keys, vaultUrl, () => new KeyClient(vaultUrl, this.#token, this.#options));
  }
}

function cached<T>(map: Map<string, T>, key: string, create: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    if (map.size >= MAX_CACHED_CLIENTS) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    map.set(key, value);
  }
  return value;
}
