import type { Keyring } from '@polykms/envelope';
import { importProvider } from '../load-provider.js';
import type { LocalKeyUri } from '../parse.js';

/** The keyring of a key file made by `generateKeyFile` (`polykms keys generate`). */
export async function localKeyring(key: LocalKeyUri): Promise<Keyring> {
  const { loadKeyring } = await importProvider('local', '@polykms/local', () => import('@polykms/local'));
  return loadKeyring(key.path);
}
