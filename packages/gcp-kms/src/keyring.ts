import { randomBytes } from 'node:crypto';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  type EncryptedDataKey,
  InvalidArgumentError,
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  serializeEncryptionContext,
  unwrapFirst,
  zeroize,
} from '@polykms/envelope';
import { lazyClient } from './client.js';
import { PROVIDER_ID } from './errors.js';
import { decryptWithKms, encryptWithKms } from './kms-operations.js';
import { parseCryptoKeyName, versionNameFromProviderInfo } from './names.js';

export interface GcpKmsKeyringOptions {
  /** `projects/{p}/locations/{l}/keyRings/{r}/cryptoKeys/{k}` (a CryptoKey, not a version). */
  readonly keyName: string;
  /** A configured client; default: one made on first use with Application Default Credentials. */
  readonly client?: KeyManagementServiceClient | undefined;
  /** Deadline for each KMS call in milliseconds; default: the client's own (with its retries). */
  readonly timeoutMs?: number | undefined;
}

const utf8 = new TextEncoder();

/**
 * Wraps data keys with one Cloud KMS CryptoKey (its primary version) and unwraps only EDKs made
 * by a version of that same key (strict mode). The encryption context is the Encrypt/Decrypt AAD.
 */
export class GcpKmsKeyring implements Keyring {
  readonly description: string;
  readonly keyName: string;
  readonly #client: () => KeyManagementServiceClient;
  readonly #timeoutMs: number | undefined;

  constructor(options: GcpKmsKeyringOptions) {
    if (!parseCryptoKeyName(options.keyName)) {
      throw new InvalidArgumentError(
        `GcpKmsKeyring needs a CryptoKey name projects/…/locations/…/keyRings/…/cryptoKeys/…, got "${options.keyName}"`,
      );
    }
    this.keyName = options.keyName;
    this.description = `${PROVIDER_ID} ${options.keyName}`;
    this.#client = lazyClient(options.client);
    this.#timeoutMs = options.timeoutMs;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    const generated = request.dataKey === undefined ? randomBytes(request.suite.keyLength) : undefined;
    const dataKey = request.dataKey ?? (generated as Uint8Array);
    const aad = serializeEncryptionContext(request.encryptionContext);
    try {
      const { ciphertext, version } = await encryptWithKms(this.#client(), this.keyName, dataKey, aad, {
        signal: request.signal,
        timeoutMs: this.#timeoutMs,
      });
      const encryptedDataKey: EncryptedDataKey = {
        providerId: PROVIDER_ID,
        providerInfo: utf8.encode(version.name),
        ciphertext,
      };
      return { ...(generated ? { dataKey: generated } : {}), encryptedDataKeys: [encryptedDataKey] };
    } catch (error) {
      zeroize(generated);
      throw error;
    }
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const aad = serializeEncryptionContext(request.encryptionContext);
    return unwrapFirst(
      request.encryptedDataKeys,
      (edk) =>
        edk.providerId === PROVIDER_ID &&
        versionNameFromProviderInfo(edk.providerInfo)?.cryptoKey.name === this.keyName,
      (edk) =>
        decryptWithKms(this.#client(), this.keyName, edk.ciphertext, aad, request.suite.keyLength, {
          signal: request.signal,
          timeoutMs: this.#timeoutMs,
        }),
      (edk) => `${PROVIDER_ID} ${versionNameFromProviderInfo(edk.providerInfo)?.name ?? this.keyName}`,
    );
  }
}
