import type { KeyManagementServiceClient } from '@google-cloud/kms';
import { ErrorCodes, KmsError, kmsCall, zeroize } from '@polykms/envelope';
import { crc32cMatches, crc32cValue } from './checksums.js';
import { PROVIDER_ID, integrityError, mapGcpError } from './errors.js';
import { type CryptoKeyVersionName, parseCryptoKeyVersionName } from './names.js';

interface CallSettings {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/** gax promises can be cancelled, which ends the underlying gRPC call. */
type Cancellable<T> = Promise<T> & { cancel?: () => void };

function callOptions(settings: CallSettings) {
  return settings.timeoutMs === undefined ? {} : { timeout: settings.timeoutMs };
}

function cancelOnAbort<T>(promise: Cancellable<T>, signal: AbortSignal): Promise<T> {
  const cancel = () => promise.cancel?.();
  signal.addEventListener('abort', cancel, { once: true });
  return promise.finally(() => signal.removeEventListener('abort', cancel));
}

/**
 * Encrypt with AAD and CRC32C both ways, as Google recommends: the service must confirm it
 * received our plaintext and AAD intact, and the ciphertext must match its checksum. Returns the
 * ciphertext and the version the service actually used, which must belong to `keyName`.
 */
export async function encryptWithKms(
  client: KeyManagementServiceClient,
  keyName: string,
  plaintext: Uint8Array,
  aad: Uint8Array,
  settings: CallSettings,
): Promise<{ ciphertext: Uint8Array; version: CryptoKeyVersionName }> {
  const [response] = await kmsCall(
    { provider: PROVIDER_ID, operation: 'Encrypt', keyId: keyName, mapError: mapGcpError, ...settings },
    (signal) =>
      cancelOnAbort(
        client.encrypt(
          {
            name: keyName,
            plaintext,
            additionalAuthenticatedData: aad,
            plaintextCrc32c: crc32cValue(plaintext),
            additionalAuthenticatedDataCrc32c: crc32cValue(aad),
          },
          callOptions(settings),
        ),
        signal,
      ),
  );
  const ciphertext = response.ciphertext;
  if (!(ciphertext instanceof Uint8Array) || ciphertext.length === 0) {
    throw new KmsError({
      code: ErrorCodes.ProviderFailure,
      provider: PROVIDER_ID,
      operation: 'Encrypt',
      keyId: keyName,
      detail: 'the response carried no ciphertext',
    });
  }
  if (response.verifiedPlaintextCrc32c !== true)
    throw integrityError('Encrypt', keyName, 'the plaintext sent');
  if (response.verifiedAdditionalAuthenticatedDataCrc32c !== true) {
    throw integrityError('Encrypt', keyName, 'the additional authenticated data sent');
  }
  if (!crc32cMatches(ciphertext, response.ciphertextCrc32c)) {
    throw integrityError('Encrypt', keyName, 'the ciphertext received');
  }
  const version = parseCryptoKeyVersionName(String(response.name ?? ''));
  if (!version || version.cryptoKey.name !== keyName) {
    throw new KmsError({
      code: ErrorCodes.ProviderFailure,
      provider: PROVIDER_ID,
      operation: 'Encrypt',
      keyId: keyName,
      detail: `the service reports it used ${String(response.name)}, which is not a version of this key`,
    });
  }
  return { ciphertext: Uint8Array.from(ciphertext), version };
}

/**
 * Decrypt with the CryptoKey name (the service picks the version from the ciphertext), AAD and
 * CRC32C both ways. The plaintext must be `expectedLength` bytes; the response buffer is wiped.
 */
export async function decryptWithKms(
  client: KeyManagementServiceClient,
  keyName: string,
  ciphertext: Uint8Array,
  aad: Uint8Array,
  expectedLength: number,
  settings: CallSettings,
): Promise<Uint8Array> {
  const [response] = await kmsCall(
    { provider: PROVIDER_ID, operation: 'Decrypt', keyId: keyName, mapError: mapGcpError, ...settings },
    (signal) =>
      cancelOnAbort(
        client.decrypt(
          {
            name: keyName,
            ciphertext,
            additionalAuthenticatedData: aad,
            ciphertextCrc32c: crc32cValue(ciphertext),
            additionalAuthenticatedDataCrc32c: crc32cValue(aad),
          },
          callOptions(settings),
        ),
        signal,
      ),
  );
  const plaintext = response.plaintext;
  if (!(plaintext instanceof Uint8Array)) {
    throw new KmsError({
      code: ErrorCodes.ProviderFailure,
      provider: PROVIDER_ID,
      operation: 'Decrypt',
      keyId: keyName,
      detail: 'the response carried no plaintext',
    });
  }
  try {
    if (!crc32cMatches(plaintext, response.plaintextCrc32c)) {
      throw integrityError('Decrypt', keyName, 'the plaintext received');
    }
    if (plaintext.length !== expectedLength) {
      throw new KmsError({
        code: ErrorCodes.InvalidCiphertext,
        provider: PROVIDER_ID,
        operation: 'Decrypt',
        keyId: keyName,
        detail: `the decrypted data key has ${plaintext.length} bytes, the suite needs ${expectedLength}`,
      });
    }
    return Uint8Array.from(plaintext);
  } finally {
    zeroize(plaintext);
  }
}
