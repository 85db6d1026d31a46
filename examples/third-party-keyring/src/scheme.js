import { PROVIDER_ID } from './error-table.js';
import { KEY_NAME, parseKeyReference } from './key-reference.js';
import { FileVaultKeyring } from './keyring.js';

/**
 * `filevault://<vault file>#<key name>`: the file as a path (relative to the working directory,
 * or absolute with a third slash), the key after the last `#`. Register it with
 * `registerKeyringScheme(keyringScheme)` from `@polykms/key-uri`, or give this package to the
 * CLI with `--plugin` / `POLYKMS_PLUGINS`.
 * @type {import('@polykms/envelope/driver').KeyringScheme<{ vaultPath: string, keyName: string }>}
 */
export const keyringScheme = {
  scheme: 'filevault',
  keyForm: 'filevault://<vault file>#<key name>, e.g. filevault://vault.json#orders',
  parseKey(rest) {
    const at = rest.lastIndexOf('#');
    const vaultPath = rest.slice(0, at);
    const keyName = rest.slice(at + 1);
    return at > 0 && KEY_NAME.test(keyName) ? { vaultPath, keyName } : undefined;
  },
  async keyring({ vaultPath, keyName }) {
    return new FileVaultKeyring({ vault: vaultPath, keyName });
  },
  providerId: PROVIDER_ID,
  edkMatchesKey: (key, edk) =>
    edk.providerId === PROVIDER_ID
      ? parseKeyReference(new TextDecoder().decode(edk.providerInfo))?.keyName === key.keyName
      : false,
};
