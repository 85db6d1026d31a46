import type { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  type EncryptedDataKey,
  type UnwrapRequest,
  type UnwrapResult,
  serializeEncryptionContext,
  unwrapFirst,
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
  const versions = new Map<EncryptedDataKey, CryptoKeyVersionName>();
  for (const edk of request.encryptedDataKeys) {
    if (edk.providerId !== PROVIDER_ID) continue;
    const version = versionNameFromProviderInfo(edk.providerInfo);
    if (version !== undefined && accepts(version)) versions.set(edk, version);
  }
  return unwrapFirst(
    request.encryptedDataKeys,
    (edk) => versions.has(edk),
    (edk) =>
      decryptWithKms(
        options.client(),
        (versions.get(edk) as CryptoKeyVersionName).cryptoKey.name,
        edk.ciphertext,
        aad,
        request.suite.keyLength,
        { signal: request.signal, timeoutMs: options.timeoutMs },
      ),
    (edk) => `${PROVIDER_ID} ${versions.get(edk)?.name ?? '(unknown key)'}`,
  );
}
