import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  type KmsDriver,
  type KmsKey,
  type OpenAnswer,
  type OpenCall,
  type PolykmsError,
  type SealAnswer,
  type SealCall,
  serializeEncryptionContext,
  zeroize,
} from '@polykms/envelope/driver';
import { crc32cMatches, crc32cValue } from './checksums.js';
import { PROVIDER_ID, integrityError, mapGcpError } from './errors.js';
import { type CryptoKeyVersionName, parseCryptoKeyVersionName } from './names.js';

/** A CryptoKeyVersion as an EDK names it. */
export type GcpKmsKey = CryptoKeyVersionName & KmsKey;

export interface GcpKmsDriverOptions {
  readonly client: () => KeyManagementServiceClient;
  /** Passed to the client as its per-call timeout too, so the gRPC call itself ends. */
  readonly timeoutMs: number | undefined;
}

/** gax promises can be cancelled, which ends the underlying gRPC call. */
type Cancellable<T> = Promise<T> & { cancel?: () => void };

function cancelOnAbort<T>(promise: Cancellable<T>, signal: AbortSignal): Promise<T> {
  const cancel = () => promise.cancel?.();
  signal.addEventListener('abort', cancel, { once: true });
  return promise.finally(() => signal.removeEventListener('abort', cancel));
}

/**
 * Google Cloud KMS as a polykms driver: Encrypt and Decrypt with the encryption context as AAD and
 * CRC32C both ways, as Google recommends; a failed checksum is ERR_UNAVAILABLE, which the keyring
 * retries. EDKs name the CryptoKeyVersion the service used.
 */
export class GcpKmsDriver implements KmsDriver<GcpKmsKey> {
  readonly providerId = PROVIDER_ID;
  readonly operations = { seal: 'Encrypt', open: 'Decrypt', openNamesKey: false } as const;
  readonly #client: () => KeyManagementServiceClient;
  readonly #callOptions: { retry: null; timeout?: number };

  constructor(options: GcpKmsDriverOptions) {
    this.#client = options.client;
    // The client's own retries are off: the keyring retries, reporting why the service refused
    // (the client reports exhausted retries as DEADLINE_EXCEEDED, losing that).
    this.#callOptions =
      options.timeoutMs === undefined ? { retry: null } : { retry: null, timeout: options.timeoutMs };
  }

  keyOf(providerInfo: string): GcpKmsKey | undefined {
    const version = parseCryptoKeyVersionName(providerInfo);
    return version === undefined ? undefined : { ...version, id: version.name };
  }

  async seal(call: SealCall): Promise<SealAnswer> {
    const aad = serializeEncryptionContext(call.encryptionContext);
    const [response] = await cancelOnAbort(
      this.#client().encrypt(
        {
          name: call.keyId,
          plaintext: call.dataKey,
          additionalAuthenticatedData: aad,
          plaintextCrc32c: crc32cValue(call.dataKey),
          additionalAuthenticatedDataCrc32c: crc32cValue(aad),
        },
        this.#callOptions,
      ),
      call.signal,
    );
    const ciphertext = response.ciphertext instanceof Uint8Array ? response.ciphertext : undefined;
    if (response.verifiedPlaintextCrc32c !== true)
      throw integrityError('Encrypt', call.keyId, 'the plaintext sent');
    if (response.verifiedAdditionalAuthenticatedDataCrc32c !== true) {
      throw integrityError('Encrypt', call.keyId, 'the additional authenticated data sent');
    }
    if (ciphertext !== undefined && !crc32cMatches(ciphertext, response.ciphertextCrc32c)) {
      throw integrityError('Encrypt', call.keyId, 'the ciphertext received');
    }
    return { ciphertext, keyUsed: typeof response.name === 'string' ? response.name : undefined };
  }

  /** With the CryptoKey name: the service picks the version from the ciphertext. */
  async open(call: OpenCall<GcpKmsKey>): Promise<OpenAnswer> {
    const aad = serializeEncryptionContext(call.encryptionContext);
    const keyName = call.key.cryptoKey.name;
    const [response] = await cancelOnAbort(
      this.#client().decrypt(
        {
          name: keyName,
          ciphertext: call.ciphertext,
          additionalAuthenticatedData: aad,
          ciphertextCrc32c: crc32cValue(call.ciphertext),
          additionalAuthenticatedDataCrc32c: crc32cValue(aad),
        },
        this.#callOptions,
      ),
      call.signal,
    );
    const plaintext = response.plaintext instanceof Uint8Array ? response.plaintext : undefined;
    if (plaintext !== undefined && !crc32cMatches(plaintext, response.plaintextCrc32c)) {
      zeroize(plaintext);
      throw integrityError('Decrypt', keyName, 'the plaintext received');
    }
    return { dataKey: plaintext };
  }

  mapError(error: unknown, context: { operation: string; keyId: string | undefined }): PolykmsError {
    return mapGcpError(error, context);
  }
}
