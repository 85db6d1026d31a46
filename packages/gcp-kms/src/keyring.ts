import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  type EncryptedDataKey,
  InvalidArgumentError,
  type Keyring,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  sealGivenOrNewDataKey,
  serializeEncryptionContext,
} from '@polykms/envelope';
import { lazyClient } from './client.js';
import { PROVIDER_ID } from './errors.js';
import { encryptWithKms } from './kms-operations.js';
import { parseCryptoKeyName } from './names.js';
import { unwrapMatching } from './unwrap-matching.js';

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
    const aad = serializeEncryptionContext(request.encryptionContext);
    return sealGivenOrNewDataKey(request, async (dataKey): Promise<EncryptedDataKey> => {
      const { ciphertext, version } = await encryptWithKms(this.#client(), this.keyName, dataKey, aad, {
        signal: request.signal,
        timeoutMs: this.#timeoutMs,
      });
      return { providerId: PROVIDER_ID, providerInfo: utf8.encode(version.name), ciphertext };
    });
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    return unwrapMatching(
      request,
      { client: this.#client, timeoutMs: this.#timeoutMs },
      (version) => version.cryptoKey.name === this.keyName,
    );
  }
}
