import {
  type AlgorithmSuite,
  type EncryptedDataKey,
  ErrorCodes,
  KmsError,
  kmsCall,
  providerInfoText,
  zeroize,
} from '@polykms/envelope';
import type { AzureClients } from './clients.js';
import { PROVIDER_ID, mapAzureError } from './error-table.js';
import { type AzureKeyId, MAX_KEY_ID_LENGTH, parseKeyId, sameKeyVersion } from './key-id.js';
import { keyOperation, unwrapAlgorithmFor } from './key-operation.js';

/** The versioned key id an `azure-kv` EDK names, or undefined when it is not one of ours. */
export function edkKeyId(edk: EncryptedDataKey): AzureKeyId | undefined {
  if (edk.providerId !== PROVIDER_ID) return undefined;
  const text = providerInfoText(edk.providerInfo, MAX_KEY_ID_LENGTH);
  const keyId = text === undefined ? undefined : parseKeyId(text);
  return keyId?.version === undefined ? undefined : keyId;
}

export interface OpenRequest {
  readonly clients: AzureClients;
  readonly suite: AlgorithmSuite;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
}

/**
 * unwrapKey with exactly the key version the EDK names, then the checks the vault's answer must
 * pass: it names that same key version (the confused-deputy check) and the data key has the
 * suite's length. A key that fails either is zeroed.
 */
export async function openEdk(
  request: OpenRequest,
  edk: EncryptedDataKey,
  keyId: AzureKeyId,
): Promise<Uint8Array> {
  const operation = 'unwrapKey';
  const fail = (
    code: typeof ErrorCodes.InvalidCiphertext | typeof ErrorCodes.ProviderFailure,
    detail: string,
  ) => new KmsError({ code, provider: PROVIDER_ID, operation, keyId: keyId.text, detail });
  const algorithm = unwrapAlgorithmFor(edk.ciphertext.length);
  if (algorithm === undefined) {
    throw fail(
      ErrorCodes.InvalidCiphertext,
      `a ${edk.ciphertext.length}-byte wrapped key fits neither RSA-OAEP-256 nor A256KW`,
    );
  }
  const { result, kid } = await kmsCall(
    {
      provider: PROVIDER_ID,
      operation,
      keyId: keyId.text,
      signal: request.signal,
      timeoutMs: request.timeoutMs,
      mapError: mapAzureError,
    },
    (signal) =>
      keyOperation(request.clients.crypto(keyId.text), operation, algorithm, edk.ciphertext, signal),
  );
  const answered = kid === undefined ? undefined : parseKeyId(kid);
  if (answered === undefined || !sameKeyVersion(answered, keyId)) {
    zeroize(result);
    throw fail(
      ErrorCodes.ProviderFailure,
      `the vault answered for key ${kid ?? '(none)'}, not the key the EDK names`,
    );
  }
  if (result.length !== request.suite.keyLength) {
    zeroize(result);
    throw fail(
      ErrorCodes.InvalidCiphertext,
      `the unwrapped key is not ${request.suite.keyLength} bytes long`,
    );
  }
  return result;
}
