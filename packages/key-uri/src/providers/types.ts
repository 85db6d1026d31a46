import type { Keyring } from '@polykms/envelope';

/** A keyring class as a provider package exports it: constructed from one options object. */
export type KeyringClass = new (options: Record<string, unknown>) => Keyring;

export function keyringClass(
  module: Record<string, unknown>,
  name: string,
  packageName: string,
): KeyringClass {
  const found = module[name];
  if (typeof found !== 'function') {
    throw new TypeError(`${packageName} does not export ${name}: is it an older version than polykms needs?`);
  }
  return found as KeyringClass;
}
