import {
  ErrorCodes,
  KmsError,
  type KmsDriver,
  type KmsKey,
  type OpenAnswer,
  type OpenCall,
  type PolykmsError,
  type SealAnswer,
  type SealCall,
  isPolykmsError,
  kmsCall,
  waitForShared,
} from '@polykms/envelope/driver';
import type { AzureClients } from './clients.js';
import { PROVIDER_ID, mapAzureError } from './error-table.js';
import { type AzureKeyId, parseKeyId } from './key-id.js';
import { type WrapAlgorithm, keyOperation, unwrapAlgorithmFor } from './key-operation.js';

/** A key version as an EDK names it: Key Vault ignores case in names and versions. */
export type AzureKey = AzureKeyId & KmsKey & { readonly version: string };

export interface AzureDriverOptions {
  readonly clients: AzureClients;
  readonly timeoutMs: number | undefined;
  /** The strict keyring's key, whose type decides the wrap algorithm; undefined for discovery. */
  readonly keyId?: AzureKeyId | undefined;
  readonly wrapAlgorithm?: WrapAlgorithm | undefined;
}

/** The key version a versioned key id names; undefined for an unversioned or invalid one. */
export function azureKeyOf(text: string): AzureKey | undefined {
  const keyId = parseKeyId(text);
  if (keyId?.version === undefined) return undefined;
  const identity = `${keyId.host}/keys/${keyId.name}/${keyId.version}`.toLowerCase();
  return { ...keyId, version: keyId.version, id: keyId.text, identity };
}

/**
 * Azure Key Vault as a polykms driver: wrapKey / unwrapKey through the official client. Azure
 * ciphertexts do not name the key version, so the EDK pins the version the vault answered with,
 * and unwrapKey is asked of exactly that version.
 */
export class AzureKeyVaultDriver implements KmsDriver<AzureKey> {
  readonly providerId = PROVIDER_ID;
  readonly operations = { seal: 'wrapKey', open: 'unwrapKey', openNamesKey: true } as const;
  readonly #clients: AzureClients;
  readonly #timeoutMs: number | undefined;
  readonly #keyId: AzureKeyId | undefined;
  #algorithm: Promise<WrapAlgorithm> | undefined;

  constructor(options: AzureDriverOptions) {
    this.#clients = options.clients;
    this.#timeoutMs = options.timeoutMs;
    this.#keyId = options.keyId;
    if (options.wrapAlgorithm !== undefined) this.#algorithm = Promise.resolve(options.wrapAlgorithm);
  }

  keyOf(providerInfo: string): AzureKey | undefined {
    return azureKeyOf(providerInfo);
  }

  async seal(call: SealCall): Promise<SealAnswer> {
    const algorithm = await waitForShared(
      { provider: PROVIDER_ID, operation: 'get', keyId: call.keyId, signal: call.signal },
      () => this.#wrapAlgorithm(),
    );
    const { result, kid } = await keyOperation(
      this.#clients.crypto(call.keyId),
      'wrapKey',
      algorithm,
      call.dataKey,
      call.signal,
    );
    return { ciphertext: result, keyUsed: kid };
  }

  async open(call: OpenCall<AzureKey>): Promise<OpenAnswer> {
    const algorithm = unwrapAlgorithmFor(call.ciphertext.length);
    if (algorithm === undefined) {
      throw new KmsError({
        code: ErrorCodes.InvalidCiphertext,
        provider: PROVIDER_ID,
        operation: 'unwrapKey',
        keyId: call.key.id,
        detail: `a ${call.ciphertext.length}-byte wrapped key fits neither RSA-OAEP-256 nor A256KW`,
      });
    }
    const { result, kid } = await keyOperation(
      this.#clients.crypto(call.key.id),
      'unwrapKey',
      algorithm,
      call.ciphertext,
      call.signal,
    );
    return { dataKey: result, keyUsed: kid };
  }

  mapError(error: unknown, context: { operation: string; keyId: string | undefined }): PolykmsError {
    return mapAzureError(error, context);
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
    const keyId = this.#keyId as AzureKeyId;
    const { vaultUrl, name, version, text } = keyId;
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
}
