import {
  NoDecryptableKeyError,
  type PolykmsError,
  type RecipientFailure,
  isPolykmsError,
} from '../errors.js';
import type { EncryptedDataKey, UnwrapResult } from '../keyring/types.js';

/**
 * The decrypt loop every keyring shares: offer each EDK that `isMine` accepts (in message order)
 * to `open`, return the first data key, and remember why the others failed. Returns `null` when
 * no EDK was this keyring's (so no KMS call was made); throws `NoDecryptableKeyError` listing
 * every failure when it tried and all failed. Errors that are not PolykmsErrors are rethrown as
 * they are: they are bugs, not decrypt failures.
 */
export async function unwrapFirst(
  encryptedDataKeys: readonly EncryptedDataKey[],
  isMine: (edk: EncryptedDataKey) => boolean,
  open: (edk: EncryptedDataKey) => Promise<Uint8Array>,
  describe: (edk: EncryptedDataKey) => string,
): Promise<UnwrapResult | null> {
  const failures: RecipientFailure[] = [];
  for (const edk of encryptedDataKeys) {
    if (!isMine(edk)) continue;
    try {
      return { dataKey: await open(edk), encryptedDataKey: edk };
    } catch (error) {
      if (!isPolykmsError(error)) throw error;
      if (error.code === 'ERR_CANCELLED') throw error;
      failures.push({ recipient: describe(edk), error: error as PolykmsError });
    }
  }
  if (failures.length === 0) return null;
  throw new NoDecryptableKeyError(failures);
}
