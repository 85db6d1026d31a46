import { EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  ErrorCodes,
  InvalidArgumentError,
  type Keyring,
  KmsError,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  kmsCall,
  zeroize,
} from '@polykms/envelope';
import { parseAwsKmsArn, parseKeyArn } from './arn.js';
import { type ClientProvider, defaultClientProvider } from './client-provider.js';
import { mapAwsKmsError } from './error-table.js';
import { PROVIDER_ID } from './provider.js';
import { unwrapMatching } from './unwrap-matching.js';

export interface AwsKmsKeyringOptions {
  /**
   * The KMS key. A key ARN works for encrypt and decrypt. A key id, alias name or alias ARN works
   * for encrypt only: decrypting must name the exact key, so it needs the key ARN.
   */
  readonly keyId: string;
  /** The client to use. Default: one from `clientProvider` for the ARN's region. */
  readonly client?: KMSClient | undefined;
  /** Clients per region. Default: SDK default credential chain, one client per region. */
  readonly clientProvider?: ClientProvider | undefined;
  readonly grantTokens?: readonly string[] | undefined;
  /** Deadline for each KMS call, in milliseconds (on top of the SDK's own retries). */
  readonly timeoutMs?: number | undefined;
}

const utf8 = new TextEncoder();

function checkGrantTokens(grantTokens: readonly string[] | undefined): void {
  if (grantTokens === undefined) return;
  if (
    !Array.isArray(grantTokens) ||
    grantTokens.length > 10 ||
    grantTokens.some((t) => typeof t !== 'string')
  ) {
    throw new InvalidArgumentError('grantTokens must be an array of at most 10 strings', {
      provider: PROVIDER_ID,
    });
  }
}

export function checkTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError('timeoutMs must be a positive integer', { provider: PROVIDER_ID });
  }
}

/**
 * A keyring for one AWS KMS key (combine several with the envelope's MultiKeyring). As generator it
 * calls GenerateDataKey, otherwise Encrypt; the EDK names the key ARN KMS reports. It decrypts only
 * EDKs of its own key ARN (strict mode), asking KMS for exactly that key and checking the answer.
 */
export class AwsKmsKeyring implements Keyring {
  readonly description: string;
  readonly #keyId: string;
  /** Set when `keyId` is a key ARN: the only key whose EDKs this keyring opens. */
  readonly #keyArn: string | undefined;
  readonly #client: KMSClient;
  readonly #grantTokens: readonly string[] | undefined;
  readonly #timeoutMs: number | undefined;

  constructor(options: AwsKmsKeyringOptions) {
    const { keyId } = options ?? {};
    if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 2048) {
      throw new InvalidArgumentError(
        'AwsKmsKeyring needs keyId: a KMS key ARN (or, for encrypt only, an alias)',
        {
          provider: PROVIDER_ID,
        },
      );
    }
    checkGrantTokens(options.grantTokens);
    checkTimeout(options.timeoutMs);
    const arn = parseAwsKmsArn(keyId);
    this.#keyId = keyId;
    this.#keyArn = arn?.resourceType === 'key' ? keyId : undefined;
    if (options.client) {
      this.#client = options.client;
    } else if (arn) {
      this.#client = (options.clientProvider ?? defaultClientProvider())(arn.region);
    } else {
      throw new InvalidArgumentError(
        `AwsKmsKeyring: ${keyId} names no region; pass a key or alias ARN, or an explicit client`,
        { provider: PROVIDER_ID, keyId },
      );
    }
    this.#grantTokens = options.grantTokens ? [...options.grantTokens] : undefined;
    this.#timeoutMs = options.timeoutMs;
    this.description = `${PROVIDER_ID} ${keyId}`;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    const common = {
      KeyId: this.#keyId,
      EncryptionContext: { ...request.encryptionContext },
      ...(this.#grantTokens ? { GrantTokens: [...this.#grantTokens] } : {}),
    };
    if (request.dataKey === undefined) {
      const response = await this.#call('GenerateDataKey', request.signal, (abortSignal) =>
        this.#client.send(new GenerateDataKeyCommand({ ...common, NumberOfBytes: request.suite.keyLength }), {
          abortSignal,
        }),
      );
      const plaintext = response.Plaintext;
      if (!(plaintext instanceof Uint8Array) || plaintext.length !== request.suite.keyLength) {
        zeroize(plaintext);
        throw this.#badResponse(
          'GenerateDataKey',
          `a data key of the wrong length for ${request.suite.name}`,
        );
      }
      // The SDK's bytes may be a view into a larger response buffer: hand over a buffer of its own.
      const dataKey = Uint8Array.from(plaintext);
      zeroize(plaintext);
      try {
        return { dataKey, encryptedDataKeys: [this.#edk('GenerateDataKey', response)] };
      } catch (error) {
        zeroize(dataKey);
        throw error;
      }
    }
    const dataKey = request.dataKey;
    const response = await this.#call('Encrypt', request.signal, (abortSignal) =>
      this.#client.send(new EncryptCommand({ ...common, Plaintext: dataKey }), { abortSignal }),
    );
    return { encryptedDataKeys: [this.#edk('Encrypt', response)] };
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const keyArn = this.#keyArn;
    if (keyArn === undefined) {
      throw new InvalidArgumentError(
        `AwsKmsKeyring: decrypting needs the key ARN, not ${this.#keyId}; use the key's ARN (or AwsKmsDiscoveryKeyring)`,
        { provider: PROVIDER_ID, keyId: this.#keyId },
      );
    }
    const options = {
      clientFor: () => this.#client,
      grantTokens: this.#grantTokens,
      timeoutMs: this.#timeoutMs,
    };
    return unwrapMatching(request, options, (arn) => arn.arn === keyArn);
  }

  #call<T>(
    operation: string,
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return kmsCall(
      {
        provider: PROVIDER_ID,
        operation,
        keyId: this.#keyId,
        signal,
        timeoutMs: this.#timeoutMs,
        mapError: mapAwsKmsError,
      },
      call,
    );
  }

  /** The EDK for a KMS answer: provider info is the key ARN KMS reports, never the alias we sent. */
  #edk(operation: string, response: { KeyId?: string | undefined; CiphertextBlob?: Uint8Array | undefined }) {
    const reported = response.KeyId === undefined ? undefined : parseKeyArn(response.KeyId);
    if (!reported) throw this.#badResponse(operation, 'no key ARN in the answer');
    if (this.#keyArn !== undefined && reported.arn !== this.#keyArn) {
      throw this.#badResponse(operation, `an answer from ${reported.arn} instead of the configured key`);
    }
    const ciphertext = response.CiphertextBlob;
    if (!(ciphertext instanceof Uint8Array) || ciphertext.length === 0) {
      throw this.#badResponse(operation, 'no ciphertext in the answer');
    }
    return { providerId: PROVIDER_ID, providerInfo: utf8.encode(reported.arn), ciphertext };
  }

  #badResponse(operation: string, what: string): KmsError {
    return new KmsError({
      code: ErrorCodes.ProviderFailure,
      provider: PROVIDER_ID,
      operation,
      keyId: this.#keyId,
      detail: `KMS sent ${what}`,
    });
  }
}
