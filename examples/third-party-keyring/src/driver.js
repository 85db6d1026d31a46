import { mapVaultError, PROVIDER_ID } from './error-table.js';
import { formatKeyReference, parseKeyReference } from './key-reference.js';

/**
 * The file vault as a polykms driver: one vault call per member, answers passed on unchecked.
 * `KmsKeyring` does the rest (deadlines, abort, retries, events, checks of each answer).
 * @implements {import('@polykms/envelope/driver').KmsDriver<import('./key-reference.js').KeyReference>}
 */
export class FileVaultDriver {
  providerId = PROVIDER_ID;
  operations = /** @type {const} */ ({
    seal: 'Encrypt',
    open: 'Decrypt',
    generate: 'GenerateDataKey',
    openNamesKey: true,
  });
  /** @type {import('./vault.js').FileVault} */
  #vault;

  /** @param {import('./vault.js').FileVault} vault */
  constructor(vault) {
    this.#vault = vault;
  }

  /** @param {string} providerInfo */
  keyOf(providerInfo) {
    return parseKeyReference(providerInfo);
  }

  /** @param {import('@polykms/envelope/driver').GenerateCall} call */
  async generate({ keyId, suite, encryptionContext: context, signal }) {
    const answer = await this.#vault.generateDataKey({
      keyName: keyId,
      numberOfBytes: suite.keyLength,
      context,
      signal,
    });
    return {
      dataKey: answer.plaintext,
      ciphertext: answer.ciphertext,
      keyUsed: formatKeyReference(answer.keyName, answer.version),
    };
  }

  /** @param {import('@polykms/envelope/driver').SealCall} call */
  async seal({ keyId, dataKey: plaintext, encryptionContext: context, signal }) {
    const answer = await this.#vault.encrypt({ keyName: keyId, plaintext, context, signal });
    return { ciphertext: answer.ciphertext, keyUsed: formatKeyReference(answer.keyName, answer.version) };
  }

  /** @param {import('@polykms/envelope/driver').OpenCall<import('./key-reference.js').KeyReference>} call */
  async open({ key, ciphertext, encryptionContext: context, signal }) {
    const answer = await this.#vault.decrypt({ keyName: key.keyName, ciphertext, context, signal });
    return { dataKey: answer.plaintext, keyUsed: formatKeyReference(answer.keyName, answer.version) };
  }

  /** @param {unknown} error @param {{ operation: string, keyId: string | undefined }} context */
  mapError(error, context) {
    return mapVaultError(error, context);
  }
}
