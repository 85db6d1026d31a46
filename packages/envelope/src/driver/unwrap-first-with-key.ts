import type { EncryptedDataKey, UnwrapResult } from '../keyring/types.js';
import { unwrapFirst } from './unwrap-first.js';

/**
 * `unwrapFirst` for keyrings that read from each EDK the key to open it with (a key ARN, a
 * CryptoKeyVersion, a Key Vault key id): `keyOf` reads and checks it once per EDK, returning
 * undefined when the EDK is not this keyring's; `open` and `describe` then get that same key.
 */
export function unwrapFirstWithKey<Key>(
  encryptedDataKeys: readonly EncryptedDataKey[],
  keyOf: (edk: EncryptedDataKey) => Key | undefined,
  open: (edk: EncryptedDataKey, key: Key) => Promise<Uint8Array>,
  describe: (key: Key) => string,
): Promise<UnwrapResult | null> {
  const keys = new Map<EncryptedDataKey, Key>();
  for (const edk of encryptedDataKeys) {
    const key = keyOf(edk);
    if (key !== undefined) keys.set(edk, key);
  }
  return unwrapFirst(
    encryptedDataKeys,
    (edk) => keys.has(edk),
    (edk) => open(edk, keys.get(edk) as Key),
    (edk) => describe(keys.get(edk) as Key),
  );
}
