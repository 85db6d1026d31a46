import { KmsError } from '@polykms/envelope/driver';

export const PROVIDER_ID = 'filevault';

/**
 * The vault's error names onto polykms codes; anything else (a bug, an abort) is a provider
 * failure that keeps the original as its cause.
 * @type {Record<string, { code: import('@polykms/envelope/driver').KmsErrorCode, detail?: string }>}
 */
const table = {
  KeyNotFound: { code: 'ERR_KEY_NOT_FOUND', detail: 'create the key with: node bin/filevault.js create-key' },
  KeyDisabled: { code: 'ERR_KEY_DISABLED', detail: 'enable the key to use it' },
  InvalidCiphertext: { code: 'ERR_INVALID_CIPHERTEXT' },
  VaultUnreadable: { code: 'ERR_PROVIDER_FAILURE', detail: 'check the vault file' },
};

/**
 * @param {unknown} error
 * @param {{ operation: string, keyId: string | undefined }} context
 */
export function mapVaultError(error, context) {
  const name = error instanceof Error ? error.name : '';
  const entry = Object.hasOwn(table, name)
    ? table[name]
    : { code: /** @type {const} */ ('ERR_PROVIDER_FAILURE') };
  return new KmsError({
    code: entry.code,
    provider: PROVIDER_ID,
    operation: context.operation,
    keyId: context.keyId,
    ...(entry.detail === undefined ? {} : { detail: entry.detail }),
    cause: error,
  });
}
