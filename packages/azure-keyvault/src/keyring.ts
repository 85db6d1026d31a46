import type { CryptographyClientOptions } from '@azure/keyvault-keys';
import {
  type EncryptedDataKey,
  ErrorCodes,
  InvalidArgumentError,
  type Keyring,
  KmsError,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  checkTimeoutMs,
  isPolykmsError,
  kmsCall,
  sealGivenOrNewDataKey,
  waitForShared,
} from '@polykms/envelope';
import { AzureClients, type AzureTokenCredential } from './clients.js';
import { PROVIDER_ID, mapAzureError } from './error-table.js';
import { type AzureKeyId, parseKeyId, sameKey } from './key-id.js';
import { type WrapAlgorithm, keyOperation } from './key-operation.js';
import { unwrapMatching } from './unwrap-matching.js';

export interface AzureKeyVaultKeyringOptions {
  /** `https://<vault-host>/keys/<name>[/<version>]`; without a version, new data keys use the current one. */
  readonly keyId: string;
  /** Default: `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI…). */
  readonly credential?: AzureTokenCredential | undefined;
  /** Passed to the official clients (retries, TLS, `serviceVersion`…). */
  readonly clientOptions?: CryptographyClientOptions | undefined;
  /** Deadline per Key Vault call, in milliseconds. */
  readonly timeoutMs?: number | undefined;
  /**
   * RSA-OAEP-256 for RSA keys, A256KW for Managed HSM `oct-HSM` keys. Default: looked up once
   * from the key's type (needs the `get` permission; without it RSA-OAEP-256 is assumed).
   */
  readonly wrapAlgorithm?: WrapAlgorithm | undefined;
}

function checkAlgorithm(algorithm: unknown): WrapAlgorithm | undefined {
  if (algorithm === undefined || algorithm === 'RSA-OAEP-256' || algorithm === 'A256KW') return algorithm;
  throw new InvalidArgumentError(
    `wrapAlgorithm must be 'RSA-OAEP-256' or 'A256KW', not ${String(algorithm)}`,
  );
}

/**
 * A keyring over one Key Vault key. It wraps data keys with wrapKey, and pins the key version
 * the vault used in the EDK, because Azure ciphertexts do not name it. It unwraps only EDKs of
 * its own key (any version), and checks the vault's answer names that exact version.
 */
export class AzureKeyVaultKeyring implements Keyring {
  readonly description: string;
  readonly #keyId: AzureKeyId;
  readonly #clients: AzureClients;
  readonly #timeoutMs: number | undefined;
  #algorithm: Promise<WrapAlgorithm> | undefined;

  constructor(options: AzureKeyVaultKeyringOptions) {
    const keyId = typeof options?.keyId === 'string' ? parseKeyId(options.keyId) : undefined;
    if (keyId === undefined) {
      throw new InvalidArgumentError(
        'keyId must be a Key Vault key id: https://<vault-host>/keys/<name>[/<version>]',
      );
    }
    checkTimeoutMs(options.timeoutMs, PROVIDER_ID);
    this.#keyId = keyId;
    this.#clients = new AzureClients(options.credential, options.clientOptions);
    this.#timeoutMs = options.timeoutMs;
    const algorithm = checkAlgorithm(options.wrapAlgorithm);
    if (algorithm !== undefined) this.#algorithm = Promise.resolve(algorithm);
    this.description = `${PROVIDER_ID} ${keyId.text}`;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    return sealGivenOrNewDataKey(request, (dataKey) => this.#wrapOnce(dataKey, request.signal));
  }

  async #wrapOnce(dataKey: Uint8Array, signal: AbortSignal | undefined): Promise<EncryptedDataKey> {
    const keyId = this.#keyId.text;
    const algorithm = await waitForShared({ provider: PROVIDER_ID, operation: 'get', keyId, signal }, () =>
      this.#wrapAlgorithm(),
    );
    const operation = 'wrapKey';
    const { result, kid } = await kmsCall(
      {
        provider: PROVIDER_ID,
        operation,
        keyId,
        signal,
        timeoutMs: this.#timeoutMs,
        mapError: mapAzureError,
      },
      (s) => keyOperation(this.#clients.crypto(keyId), operation, algorithm, dataKey, s),
    );
    const answered = kid === undefined ? undefined : parseKeyId(kid);
    const pinned = this.#keyId.version;
    if (
      answered?.version === undefined ||
      !sameKey(answered, this.#keyId) ||
      (pinned !== undefined && answered.version.toLowerCase() !== pinned.toLowerCase())
    ) {
      throw new KmsError({
        code: ErrorCodes.ProviderFailure,
        provider: PROVIDER_ID,
        operation,
        keyId,
        detail: `the vault answered for key ${kid ?? '(none)'}, not ${keyId}`,
      });
    }
    // The id as the vault returned it, version included: it is what decryption will need.
    return { providerId: PROVIDER_ID, providerInfo: new TextEncoder().encode(kid), ciphertext: result };
  }

  /**
   * The lookup is shared by every concurrent wrap, so it runs under no caller's signal (only the
   * keyring's timeoutMs): each caller stops waiting on its own abort, never on another's.
   */
  #wrapAlgorithm(): Promise<WrapAlgorithm> {
    if (this.#algorithm === undefined) {
      const lookup = this.#lookUpAlgorithm();
      this.#algorithm = lookup;
      // A failed lookup (network, throttling) is tried again on the next call.
      lookup.catch(() => {
        if (this.#algorithm === lookup) this.#algorithm = undefined;
      });
    }
    return this.#algorithm;
  }

  async #lookUpAlgorithm(): Promise<WrapAlgorithm> {
    const { vaultUrl, name, version, text } = this.#keyId;
    try {
      const key = await kmsCall(
        {
          provider: PROVIDER_ID,
          operation: 'get',
          keyId: text,
          timeoutMs: this.#timeoutMs,
          mapError: mapAzureError,
        },
        (s) => this.#clients.keys(vaultUrl).getKey(name, { abortSignal: s, ...(version ? { version } : {}) }),
      );
      return key.keyType === 'oct' || key.keyType === 'oct-HSM' ? 'A256KW' : 'RSA-OAEP-256';
    } catch (error) {
      // Without `get` the type is unknown; vaults (as opposed to Managed HSMs) hold no AES keys.
      if (isPolykmsError(error, ErrorCodes.AccessDenied)) return 'RSA-OAEP-256';
      throw error;
    }
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    return unwrapMatching(request, { clients: this.#clients, timeoutMs: this.#timeoutMs }, (id) =>
      sameKey(id, this.#keyId),
    );
  }
}
