import { type Keyring, encrypt } from '@polykms/envelope';
import type { KeysetContent } from './keyset-content.js';
import { keysetContext } from './keyset-context.js';
import { encodeKeyset } from './serialize.js';

/**
 * Writes a keyset as one standard message for `keyring`'s recipients. Each call is a fresh
 * `encrypt`: a new random message id and a new data key, so no two keyset messages (copies,
 * retries, concurrent writers, every generation) share a (key, nonce) pair. The context binds the
 * keyset id, generation and purpose into the header tag and the key commitment; `parent` (hex),
 * the message id of the generation replaced, lets a file write tell that one from a fork.
 */
export async function sealKeyset(
  content: KeysetContent,
  keyring: Keyring,
  signal?: AbortSignal,
  parent?: string,
): Promise<Uint8Array> {
  const plaintext = encodeKeyset(content);
  try {
    const { message } = await encrypt(plaintext, {
      keyring,
      encryptionContext: keysetContext({ ...content, parent }),
      signal,
    });
    return message;
  } finally {
    plaintext.fill(0);
  }
}
