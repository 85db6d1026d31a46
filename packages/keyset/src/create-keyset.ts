import { randomBytes } from 'node:crypto';
import type { Keyring } from '@polykms/envelope';
import { KEYSET_ID_BYTES, VERSION_KEY_BYTES } from './limits.js';
import { sealKeyset } from './seal-keyset.js';

export interface CreateKeysetOptions {
  /** The recipients: every key that may open the keyset (any keyring, a multi-keyring included). */
  readonly keyring: Keyring;
  readonly signal?: AbortSignal | undefined;
}

/** A new keyset: a random id, generation 1 and one primary version with a random 256-bit key. */
export async function createKeyset(options: CreateKeysetOptions): Promise<Uint8Array> {
  const key = randomBytes(VERSION_KEY_BYTES);
  try {
    return await sealKeyset(
      {
        keysetId: randomBytes(KEYSET_ID_BYTES).toString('hex'),
        generation: 1,
        versions: [{ version: 1, state: 'primary', createdAt: new Date(), key }],
      },
      options.keyring,
      options.signal,
    );
  } finally {
    key.fill(0);
  }
}
