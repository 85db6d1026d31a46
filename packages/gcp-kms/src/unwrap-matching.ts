import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  type UnwrapRequest,
  type UnwrapResult,
  serializeEncryptionContext,
  unwrapFirstWithKey,
} from '@polykms/envelope';
import { PROVIDER_ID } from './errors.js';
import { decryptWithKms } from './kms-operations.js';
import { type CryptoKeyVersionName, versionNameFromProviderInfo } from './names.js';

export interface GcpUnwrapOptions {
  readonly client: () => KeyManagementServiceClient;
  readonly timeoutMs: number | undefined;
}

/**
 * The unwrap of both Cloud KMS keyrings: each `gcp-kms` EDK whose CryptoKeyVersion `accepts`
 * passes is decrypted (in message order) with that version's CryptoKey and the encryption
 * context as AAD, until one opens. They differ only in which versions they accept.
 */
export function unwrapMatching(
  request: UnwrapRequest,
  options: GcpUnwrapOptions,
  accepts: (version: CryptoKeyVersionName) => boolean,
): Promise<UnwrapResult | null> {
  const aad = serializeEncryptionContext(request.encryptionContext);
  return unwrapFirstWithKey(
    request.encryptedDataKeys,
    (edk) => {
      if (edk.providerId !== PROVIDER_ID) return undefined;
      const version = versionNameFromProviderInfo(edk.providerInfo);
      return version !== undefined && accepts(version) ? version : undefined;
    },
    (edk, version) =>
      decryptWithKms(options.client(), version.cryptoKey.name, edk.ciphertext, aad, request.suite.keyLength, {
        signal: request.signal,
        timeoutMs: options.timeoutMs,
      }),
    (version) => `${PROVIDER_ID} ${version.name}`,
  );
}
