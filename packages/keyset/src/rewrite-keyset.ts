import { type Keyring, LimitExceededError, parseHeader } from '@polykms/envelope';
import { contentOf } from './keyset.js';
import type { KeyVersion } from './keyset-content.js';
import { MAX_GENERATION } from './limits.js';
import { openKeyset } from './open-keyset.js';
import { sealKeyset } from './seal-keyset.js';

/** How an operation opens the keyset it changes, and whom it writes the result for. */
export interface KeysetChangeOptions {
  /** The keyring that opens the current keyset (as `openKeyset`'s `keyring`). */
  readonly unlock: Keyring;
  /**
   * The recipients of the new keyset. Default `unlock`: give it when `unlock` names only some of
   * the recipients (or is a discovery keyring), or the others lose access.
   */
  readonly keyring?: Keyring | undefined;
  /** As in `openKeyset`: refuse another dataset's keyset. */
  readonly keysetId?: string | undefined;
  /** As in `openKeyset`: refuse a stale copy. */
  readonly minGeneration?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Opens the keyset, applies `change` to its versions and writes it again at generation + 1: one
 * KMS call to open, one to wrap per recipient, whatever the data under the keyset.
 */
export async function rewriteKeyset(
  message: Uint8Array,
  options: KeysetChangeOptions,
  change: (versions: readonly KeyVersion[]) => readonly KeyVersion[],
): Promise<Uint8Array> {
  const keyset = await openKeyset(message, { ...options, keyring: options.unlock });
  try {
    const current = contentOf(keyset);
    if (current.generation >= MAX_GENERATION) {
      throw new LimitExceededError(`keyset ${current.keysetId} has reached its last generation`);
    }
    const next = { ...current, generation: current.generation + 1, versions: change(current.versions) };
    const parent = Buffer.from(parseHeader(message).messageId).toString('hex');
    return await sealKeyset(next, options.keyring ?? options.unlock, options.signal, parent);
  } finally {
    keyset.close();
  }
}
