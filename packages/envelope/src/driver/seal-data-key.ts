import { randomFillSync } from 'node:crypto';
import { zeroize } from '../crypto/zeroize.js';
import type { EncryptedDataKey, WrapRequest, WrapResult } from '../keyring/types.js';

/**
 * The whole `wrap` of a keyring that seals one data key into one EDK: the request's data key, or,
 * when this keyring is the generator (the request has none), a new `suite.keyLength`-byte key
 * made here with `node:crypto`. A key made here is zeroed if `seal` fails, and is returned to the
 * caller (who then owns it) only when it succeeds. Keyrings whose KMS creates the data key
 * (AWS GenerateDataKey) do not fit this.
 */
export async function sealGivenOrNewDataKey(
  request: WrapRequest,
  seal: (dataKey: Uint8Array) => EncryptedDataKey | Promise<EncryptedDataKey>,
): Promise<WrapResult> {
  // Filled in place, so that no copy of the key is left behind in another buffer.
  const generated =
    request.dataKey === undefined ? randomFillSync(new Uint8Array(request.suite.keyLength)) : undefined;
  try {
    const encryptedDataKey = await seal(request.dataKey ?? (generated as Uint8Array));
    return { ...(generated ? { dataKey: generated } : {}), encryptedDataKeys: [encryptedDataKey] };
  } catch (error) {
    zeroize(generated);
    throw error;
  }
}
