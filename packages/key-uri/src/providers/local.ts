import { isAbsolute, resolve } from 'node:path';
import type { KeyringScheme } from '@polykms/envelope/driver';
import { importProvider } from '../load-provider.js';

export interface LocalUriKey {
  /** The key file, resolved against the working directory. */
  readonly path: string;
}

/**
 * `local://<path>`: a key file made by `generateKeyFile` (`polykms keys generate`). Its EDKs name
 * the key by the namespace and name inside the file, so the URI alone cannot match one.
 */
export const localKeyringScheme: KeyringScheme<LocalUriKey> = {
  scheme: 'local',
  keyForm: 'local://<path-to-key-file>',
  parseKey: (rest) => (rest.length === 0 ? undefined : { path: isAbsolute(rest) ? rest : resolve(rest) }),
  async keyring(key) {
    const { loadKeyring } = await importProvider('local', '@polykms/local', () => import('@polykms/local'));
    return loadKeyring(key.path);
  },
  edkMatchesKey: () => undefined,
};
