import type { Keyring } from '@polykms/envelope';
import { importProvider } from '../load-provider.js';
import type { ProviderSettings } from '../options.js';
import type { LocalKeyUri } from '../parse.js';

const PACKAGE = '@polykms/local';

export async function localKeyring(key: LocalKeyUri, settings: ProviderSettings = {}): Promise<Keyring> {
  const module: Record<string, unknown> = await importProvider(
    'local',
    PACKAGE,
    () => import('@polykms/local'),
  );
  const loadKeyring = module['loadKeyring'];
  if (typeof loadKeyring !== 'function') throw new TypeError(`${PACKAGE} does not export loadKeyring`);
  return (await loadKeyring(key.path, settings)) as Keyring;
}
