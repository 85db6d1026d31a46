import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  type AlgorithmSuite,
  type EncryptedDataKey,
  type EncryptionContext,
  ErrorCodes,
  KmsError,
  kmsCall,
  zeroize,
} from '@polykms/envelope';
import { mapAwsKmsError } from './error-table.js';
import { PROVIDER_ID } from './provider.js';

export interface DecryptEdkRequest {
  readonly client: KMSClient;
  /** The key ARN the EDK names; sent as KeyId so KMS refuses a ciphertext of any other key. */
  readonly keyArn: string;
  readonly edk: EncryptedDataKey;
  readonly suite: AlgorithmSuite;
  readonly encryptionContext: EncryptionContext;
  readonly grantTokens: readonly string[] | undefined;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/**
 * One KMS Decrypt of one EDK, with the checks the caller cannot skip: KMS must say it used the
 * key we asked for (the confused-deputy check) and return a data key of the suite's length.
 */
export async function decryptEdk(request: DecryptEdkRequest): Promise<Uint8Array> {
  const { client, keyArn, edk, suite } = request;
  const operation = 'Decrypt';
  const response = await kmsCall(
    {
      provider: PROVIDER_ID,
      operation,
      keyId: keyArn,
      signal: request.signal,
      timeoutMs: request.timeoutMs,
      mapError: mapAwsKmsError,
    },
    (abortSignal) =>
      client.send(
        new DecryptCommand({
          KeyId: keyArn,
          CiphertextBlob: edk.ciphertext,
          EncryptionContext: { ...request.encryptionContext },
          ...(request.grantTokens ? { GrantTokens: [...request.grantTokens] } : {}),
        }),
        { abortSignal },
      ),
  );
  const plaintext = response.Plaintext;
  if (response.KeyId !== keyArn) {
    zeroize(plaintext);
    throw new KmsError({
      code: ErrorCodes.ProviderFailure,
      provider: PROVIDER_ID,
      operation,
      keyId: keyArn,
      detail: 'KMS answered with a different key than the one the EDK names; the data key was discarded',
    });
  }
  if (!(plaintext instanceof Uint8Array) || plaintext.length !== suite.keyLength) {
    zeroize(plaintext);
    throw new KmsError({
      code: ErrorCodes.ProviderFailure,
      provider: PROVIDER_ID,
      operation,
      keyId: keyArn,
      detail: `KMS returned a data key of the wrong length for ${suite.name}; it was discarded`,
    });
  }
  // The SDK's bytes may be a view into a larger response buffer: hand over a buffer of its own.
  const dataKey = Uint8Array.from(plaintext);
  zeroize(plaintext);
  return dataKey;
}
