import { type ReusableMaterials, ReusableWrapResult } from '../cache/reusable-materials.js';
import { KeyringContractError, type RecipientFailure } from '../errors.js';
import { MAX_EDK_FIELD_LENGTH } from '../limits.js';
import type { EncryptedDataKey, Keyring, UnwrapRequest, UnwrapResult, WrapRequest } from './types.js';
import { zeroize } from '../crypto/zeroize.js';
import { utf8Length } from '../format/utf8.js';

function checkEdk(edk: EncryptedDataKey, keyring: Keyring): EncryptedDataKey {
  const where = `${keyring.description} returned an EDK`;
  if (typeof edk.providerId !== 'string' || edk.providerId.length === 0) {
    throw new KeyringContractError(`${where} without a provider id`);
  }
  if (utf8Length(edk.providerId) > MAX_EDK_FIELD_LENGTH)
    throw new KeyringContractError(`${where} whose provider id is too long`);
  if (!(edk.providerInfo instanceof Uint8Array) || !(edk.ciphertext instanceof Uint8Array)) {
    throw new KeyringContractError(`${where} whose provider info or ciphertext is not bytes`);
  }
  if (edk.providerInfo.length > MAX_EDK_FIELD_LENGTH || edk.ciphertext.length > MAX_EDK_FIELD_LENGTH) {
    throw new KeyringContractError(`${where} with a field longer than ${MAX_EDK_FIELD_LENGTH} bytes`);
  }
  if (edk.ciphertext.length === 0) throw new KeyringContractError(`${where} with an empty ciphertext`);
  // Copy so that the keyring cannot change the EDK after handing it over.
  return frozenEdkCopy(edk);
}

/** An EDK whose bytes nobody else holds. */
export function frozenEdkCopy(edk: EncryptedDataKey): EncryptedDataKey {
  return Object.freeze({
    providerId: edk.providerId,
    providerInfo: Uint8Array.from(edk.providerInfo),
    ciphertext: Uint8Array.from(edk.ciphertext),
  });
}

/**
 * Calls `keyring.wrap` and enforces the contract: a data key is set exactly once and has the
 * suite's length, and at least one well-formed EDK comes back. On a violation any data key the
 * keyring returned is zeroed before the error is thrown.
 */
export interface CheckedWrapResult {
  readonly dataKey: Uint8Array;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly failures: readonly RecipientFailure[];
  /** A data-key cache hit's materials, when the caller asked for them (`reuse`). */
  readonly reusable?: ReusableMaterials | undefined;
}

export interface WrapDataKeyOptions {
  /**
   * Accept a data-key cache hit's materials instead of copies of its EDKs: for `encrypt`, which
   * then never hands those EDKs out (it writes the header from the entry's template).
   */
  readonly reuse?: boolean | undefined;
}

export async function wrapDataKey(
  keyring: Keyring,
  request: WrapRequest,
  options: WrapDataKeyOptions = {},
): Promise<CheckedWrapResult> {
  const { suite } = request;
  if (request.dataKey !== undefined && request.dataKey.length !== suite.keyLength) {
    throw new KeyringContractError(
      `a data key of ${request.dataKey.length} bytes was offered for ${suite.name}`,
    );
  }
  const result = await keyring.wrap(request);
  const returnedKey = result.dataKey;
  try {
    if (request.dataKey !== undefined && returnedKey !== undefined && returnedKey !== request.dataKey) {
      throw new KeyringContractError(`${keyring.description} replaced a data key that was already set`);
    }
    if (request.dataKey === undefined && returnedKey === undefined) {
      throw new KeyringContractError(
        `${keyring.description} was asked to generate a data key and returned none`,
      );
    }
    const dataKey = request.dataKey ?? (returnedKey as Uint8Array);
    if (dataKey.length !== suite.keyLength) {
      throw new KeyringContractError(
        `${keyring.description} returned a ${dataKey.length}-byte data key for ${suite.name} (needs ${suite.keyLength})`,
      );
    }
    if (!Array.isArray(result.encryptedDataKeys) || result.encryptedDataKeys.length === 0) {
      throw new KeyringContractError(`${keyring.description} wrapped no data key`);
    }
    const failures = result.failures ?? [];
    // The entry's EDKs were checked and copied when it was stored.
    const reusable =
      options.reuse && request.dataKey === undefined ? ReusableWrapResult.materialsOf(result) : undefined;
    if (reusable) return { dataKey, encryptedDataKeys: reusable.encryptedDataKeys, failures, reusable };
    const encryptedDataKeys = result.encryptedDataKeys.map((edk) => checkEdk(edk, keyring));
    return { dataKey, encryptedDataKeys, failures };
  } catch (error) {
    if (returnedKey !== undefined && returnedKey !== request.dataKey) zeroize(returnedKey);
    throw error;
  }
}

/**
 * Calls `keyring.unwrap` and enforces the contract: the data key came from one of the offered
 * EDKs and has the suite's length. A key of the wrong length is zeroed before the error is thrown.
 */
export async function unwrapDataKey(keyring: Keyring, request: UnwrapRequest): Promise<UnwrapResult | null> {
  const result = await keyring.unwrap(request);
  if (result === null) return null;
  if (!request.encryptedDataKeys.includes(result.encryptedDataKey)) {
    if (result.dataKey instanceof Uint8Array) zeroize(result.dataKey);
    throw new KeyringContractError(
      `${keyring.description} returned a data key for an EDK it was not offered`,
    );
  }
  if (!(result.dataKey instanceof Uint8Array) || result.dataKey.length !== request.suite.keyLength) {
    if (result.dataKey instanceof Uint8Array) zeroize(result.dataKey);
    throw new KeyringContractError(
      `${keyring.description} returned a data key of the wrong length for ${request.suite.name}`,
    );
  }
  return result;
}
