import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type {
  GenerateAnswer,
  GenerateCall,
  KmsDriver,
  KmsKey,
  OpenAnswer,
  OpenCall,
  PolykmsError,
  SealAnswer,
  SealCall,
} from '@polykms/envelope/driver';
import { type AwsKmsArn, parseKeyArn } from './arn.js';
import { mapAwsKmsError } from './error-table.js';
import { PROVIDER_ID } from './provider.js';

/** A key ARN as an EDK names it. */
export type AwsKmsKey = AwsKmsArn & KmsKey;

export interface AwsKmsDriverOptions {
  /** The client for a call: the key's region, or undefined for the configured key of a strict keyring. */
  readonly clientFor: (region: string | undefined) => KMSClient;
  readonly grantTokens: readonly string[] | undefined;
}

/**
 * AWS KMS as a polykms driver: GenerateDataKey, Encrypt and Decrypt with the encryption context,
 * EDKs named by key ARN. Decrypt names the key ARN as KeyId, so KMS refuses a ciphertext of any
 * other key, and answers with the key it used.
 */
export class AwsKmsDriver implements KmsDriver<AwsKmsKey> {
  readonly providerId = PROVIDER_ID;
  readonly operations = {
    seal: 'Encrypt',
    open: 'Decrypt',
    generate: 'GenerateDataKey',
    openNamesKey: true,
  } as const;
  readonly #clientFor: (region: string | undefined) => KMSClient;
  readonly #grantTokens: readonly string[] | undefined;

  constructor(options: AwsKmsDriverOptions) {
    this.#clientFor = options.clientFor;
    this.#grantTokens = options.grantTokens ? [...options.grantTokens] : undefined;
  }

  keyOf(providerInfo: string): AwsKmsKey | undefined {
    const arn = parseKeyArn(providerInfo);
    return arn === undefined ? undefined : { ...arn, id: arn.arn };
  }

  async generate(call: GenerateCall): Promise<GenerateAnswer> {
    const response = await this.#clientFor(undefined).send(
      new GenerateDataKeyCommand({ ...this.#common(call.keyId, call), NumberOfBytes: call.suite.keyLength }),
      { abortSignal: call.signal },
    );
    return { dataKey: response.Plaintext, ciphertext: response.CiphertextBlob, keyUsed: response.KeyId };
  }

  async seal(call: SealCall): Promise<SealAnswer> {
    const response = await this.#clientFor(undefined).send(
      new EncryptCommand({ ...this.#common(call.keyId, call), Plaintext: call.dataKey }),
      { abortSignal: call.signal },
    );
    return { ciphertext: response.CiphertextBlob, keyUsed: response.KeyId };
  }

  async open(call: OpenCall<AwsKmsKey>): Promise<OpenAnswer> {
    const response = await this.#clientFor(call.key.region).send(
      new DecryptCommand({ ...this.#common(call.key.arn, call), CiphertextBlob: call.ciphertext }),
      { abortSignal: call.signal },
    );
    return { dataKey: response.Plaintext, keyUsed: response.KeyId };
  }

  mapError(error: unknown, context: { operation: string; keyId: string | undefined }): PolykmsError {
    return mapAwsKmsError(error, context);
  }

  #common(keyId: string, call: { encryptionContext: Readonly<Record<string, string>> }) {
    return {
      KeyId: keyId,
      EncryptionContext: { ...call.encryptionContext },
      ...(this.#grantTokens ? { GrantTokens: [...this.#grantTokens] } : {}),
    };
  }
}
