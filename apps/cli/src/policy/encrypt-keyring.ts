import type { Keyring } from '@polykms/envelope';
import { encryptKeyring } from '../config/keyrings.js';
import { type KeysetFlags, keysetFromOptions } from '../keyset-options.js';
import type { EncryptSettings } from './encrypt-settings.js';

/** The keyring a message is encrypted with; `close()` zeroes a keyset's keys when done. */
export interface EncryptKeyring {
  readonly keyring: Keyring;
  close(): void;
}

/**
 * The keyring for `settings`: the keyset (from `--keyset` or a policy rule) opened with its
 * unlock keys, or the key URIs. `flags` carry `--keyset-id` / `--min-generation`, and `--key`
 * so that giving it with `--keyset` is refused.
 */
export async function openEncryptKeyring(
  settings: EncryptSettings,
  flags: KeysetFlags & { readonly key?: readonly string[] | undefined },
): Promise<EncryptKeyring> {
  const keysetFlags = settings.keyset
    ? { ...flags, keyset: settings.keyset.file, unlock: [...settings.keyset.unlock] }
    : flags;
  const underKeyset = await keysetFromOptions(keysetFlags, { '--key': flags.key });
  return underKeyset ?? { keyring: await encryptKeyring(settings.keys), close() {} };
}
