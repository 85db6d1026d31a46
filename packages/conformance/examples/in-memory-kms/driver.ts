import type {
  GenerateAnswer,
  GenerateCall,
  KmsDriver,
  OpenAnswer,
  OpenCall,
  PolykmsError,
  SealAnswer,
  SealCall,
} from '@polykms/envelope/driver';
import { PROVIDER_ID, mapServiceError } from './error-table.js';
import { type KeyReference, formatKeyReference, parseKeyReference } from './key-reference.js';
import type { InMemoryKmsClient } from './service.js';

/**
 * The in-memory KMS as a polykms driver: one SDK call per member, answers passed on unchecked.
 * `KmsKeyring` does the rest (deadlines, abort, retries, events, checks of each answer).
 */
export class InMemoryKmsDriver implements KmsDriver<KeyReference> {
  readonly providerId = PROVIDER_ID;
  readonly operations = {
    seal: 'Encrypt',
    open: 'Decrypt',
    generate: 'GenerateDataKey',
    openNamesKey: true,
  } as const;
  readonly #client: InMemoryKmsClient;

  constructor(client: InMemoryKmsClient) {
    this.#client = client;
  }

  keyOf(providerInfo: string): KeyReference | undefined {
    return parseKeyReference(providerInfo);
  }

  async generate(call: GenerateCall): Promise<GenerateAnswer> {
    const { keyId, suite, encryptionContext: context, signal } = call;
    const response = await this.#client.generateDataKey(
      { keyId, numberOfBytes: suite.keyLength, context },
      { signal },
    );
    return {
      dataKey: response.plaintext,
      ciphertext: response.ciphertext,
      keyUsed: formatKeyReference(response.keyId, response.version),
    };
  }

  async seal(call: SealCall): Promise<SealAnswer> {
    const { keyId, dataKey: plaintext, encryptionContext: context, signal } = call;
    const response = await this.#client.encrypt({ keyId, plaintext, context }, { signal });
    return { ciphertext: response.ciphertext, keyUsed: formatKeyReference(response.keyId, response.version) };
  }

  async open(call: OpenCall<KeyReference>): Promise<OpenAnswer> {
    const { key, ciphertext, encryptionContext: context, signal } = call;
    const response = await this.#client.decrypt({ keyId: key.keyId, ciphertext, context }, { signal });
    return { dataKey: response.plaintext, keyUsed: formatKeyReference(response.keyId, response.version) };
  }

  mapError(error: unknown, context: { operation: string; keyId: string | undefined }): PolykmsError {
    return mapServiceError(error, context);
  }
}
