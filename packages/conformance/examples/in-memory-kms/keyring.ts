import {
  type EncryptedDataKey,
  InvalidArgumentError,
  type Keyring,
  KmsError,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  kmsCall,
  unwrapFirst,
  zeroize,
} from '@polykms/envelope';
import { PROVIDER_ID, mapServiceError } from './error-table.js';
import { formatKeyReference, parseKeyReference } from './key-reference.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry.js';
import type { InMemoryKmsClient } from './service.js';

export interface InMemoryKmsKeyringOptions {
  readonly client: InMemoryKmsClient;
  /** Strict mode: wrap under these keys (the first generates) and unwrap only their EDKs. */
  readonly keyIds?: readonly string[] | undefined;
  /** Discovery mode: unwrap any EDK whose key belongs to one of these accounts; never wraps. */
  readonly discovery?: { readonly accounts: readonly string[] } | undefined;
  /** Deadline per KMS call, retries excluded. */
  readonly timeoutMs?: number | undefined;
  readonly retry?: RetryPolicy | undefined;
}

/**
 * The worked example of a polykms adapter: a keyring over the in-memory KMS. Everything a cloud
 * keyring must do is here in small: every call through `kmsCall` (deadline, abort, error table,
 * diagnostics), retries for transient failures, EDK ownership decided from provider info without
 * a KMS call, and a check that the KMS used the key (and version) the EDK names.
 */
export class InMemoryKmsKeyring implements Keyring {
  readonly description: string;
  readonly #client: InMemoryKmsClient;
  readonly #keyIds: readonly string[];
  readonly #accounts: ReadonlySet<string> | undefined;
  readonly #timeoutMs: number | undefined;
  readonly #retry: RetryPolicy;

  constructor(options: InMemoryKmsKeyringOptions) {
    const keyIds = options.keyIds ?? [];
    if (keyIds.length > 0 === (options.discovery !== undefined)) {
      throw new InvalidArgumentError(
        'give either keyIds (strict mode) or discovery (discovery mode), not both',
      );
    }
    this.#client = options.client;
    this.#keyIds = [...keyIds];
    this.#accounts = options.discovery ? new Set(options.discovery.accounts) : undefined;
    this.#timeoutMs = options.timeoutMs;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.description = this.#accounts
      ? `${PROVIDER_ID} discovery(${[...this.#accounts].join(', ')})`
      : `${PROVIDER_ID} ${this.#keyIds.join(', ')}`;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    const [generatorId, ...others] = this.#keyIds;
    if (generatorId === undefined) {
      throw new InvalidArgumentError('a discovery keyring only decrypts; give it keyIds to encrypt');
    }
    const { suite, encryptionContext: context } = request;
    let generated: Uint8Array | undefined;
    const encryptedDataKeys: EncryptedDataKey[] = [];
    try {
      let dataKey = request.dataKey;
      const wrapIds = dataKey === undefined ? others : this.#keyIds;
      if (dataKey === undefined) {
        const response = await this.#call('GenerateDataKey', generatorId, request.signal, (signal) =>
          this.#client.generateDataKey(
            { keyId: generatorId, numberOfBytes: suite.keyLength, context },
            { signal },
          ),
        );
        generated = dataKey = response.plaintext;
        this.#checkKeyUsed(generatorId, response.keyId, 'GenerateDataKey');
        encryptedDataKeys.push(this.#edk(response.keyId, response.version, response.ciphertext));
      }
      const plaintext = dataKey;
      for (const keyId of wrapIds) {
        const response = await this.#call('Encrypt', keyId, request.signal, (signal) =>
          this.#client.encrypt({ keyId, plaintext, context }, { signal }),
        );
        this.#checkKeyUsed(keyId, response.keyId, 'Encrypt');
        encryptedDataKeys.push(this.#edk(response.keyId, response.version, response.ciphertext));
      }
      return { dataKey: generated, encryptedDataKeys };
    } catch (error) {
      zeroize(generated);
      throw error;
    }
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const { suite, encryptionContext: context, signal } = request;
    return unwrapFirst(
      request.encryptedDataKeys,
      (edk) => this.#isMine(edk),
      async (edk) => {
        const reference = parseKeyReference(edk.providerInfo)!;
        const { keyId } = reference;
        const response = await this.#call('Decrypt', keyId, signal, (s) =>
          this.#client.decrypt({ keyId, ciphertext: edk.ciphertext, context }, { signal: s }),
        );
        if (
          response.keyId !== keyId ||
          response.version !== reference.version ||
          response.plaintext.length !== suite.keyLength
        ) {
          zeroize(response.plaintext);
          throw new KmsError({
            code: 'ERR_INVALID_CIPHERTEXT',
            provider: PROVIDER_ID,
            operation: 'Decrypt',
            keyId,
            detail: 'the KMS used another key, version or key length than the EDK names',
          });
        }
        return response.plaintext;
      },
      (edk) => `${PROVIDER_ID} ${parseKeyReference(edk.providerInfo)?.keyId ?? '?'}`,
    );
  }

  #isMine(edk: EncryptedDataKey): boolean {
    if (edk.providerId !== PROVIDER_ID) return false;
    const reference = parseKeyReference(edk.providerInfo);
    if (!reference) return false;
    return this.#accounts ? this.#accounts.has(reference.account) : this.#keyIds.includes(reference.keyId);
  }

  #edk(keyId: string, version: number, ciphertext: Uint8Array): EncryptedDataKey {
    return { providerId: PROVIDER_ID, providerInfo: formatKeyReference(keyId, version), ciphertext };
  }

  /** The confused-deputy check on encrypt: the KMS must have used the key we asked for. */
  #checkKeyUsed(asked: string, used: string, operation: string): void {
    if (asked !== used) {
      throw new KmsError({
        code: 'ERR_PROVIDER_FAILURE',
        provider: PROVIDER_ID,
        operation,
        keyId: asked,
        detail: `the KMS answered with key ${used}`,
      });
    }
  }

  #call<T>(
    operation: string,
    keyId: string,
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return withRetry(this.#retry, signal, () =>
      kmsCall(
        {
          provider: PROVIDER_ID,
          operation,
          keyId,
          signal,
          timeoutMs: this.#timeoutMs,
          mapError: mapServiceError,
        },
        call,
      ),
    );
  }
}
