import type { Keyring } from '@polykms/envelope';
import { type KeysetChangeOptions, rewriteKeyset } from './rewrite-keyset.js';

export interface RewrapKeysetOptions extends KeysetChangeOptions {
  /** The new recipients: the keyset written is readable by these keys only. */
  readonly keyring: Keyring;
}

/**
 * Changes who can open the keyset (add a cloud, drop one) with the same versions: every message
 * under the keyset stays as it is and keeps decrypting. A removed recipient still opens copies of
 * older generations it can read: see the README, "What a rewrap does not revoke".
 */
export async function rewrapKeyset(message: Uint8Array, options: RewrapKeysetOptions): Promise<Uint8Array> {
  return rewriteKeyset(message, options, (versions) => versions);
}
