import { InvalidArgumentError, KeysetError } from '@polykms/envelope';
import { type KeysetChangeOptions, rewriteKeyset } from './rewrite-keyset.js';

/**
 * Marks a version retired: it still unwraps what it wrapped, and says that data under it is due
 * for re-encryption. The primary cannot be retired (rotate first).
 */
export async function retireKeysetVersion(
  message: Uint8Array,
  version: number,
  options: KeysetChangeOptions,
): Promise<Uint8Array> {
  return rewriteKeyset(message, options, (versions) => {
    const target = versions.find((v) => v.version === version);
    if (!target) throw new KeysetError('ERR_KEY_VERSION_NOT_FOUND', `the keyset has no version ${version}`);
    if (target.state === 'primary') {
      throw new InvalidArgumentError(`version ${version} is the primary: rotate before retiring it`);
    }
    return versions.map((v) => (v.version === version ? { ...v, state: 'retired' as const } : v));
  });
}
