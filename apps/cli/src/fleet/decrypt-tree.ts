import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type StreamDecryptOptions, decryptStream } from '@polykms/envelope';
import { ENCRYPTED_SUFFIX } from '../io/encrypted-suffix.js';
import { runTree, type TreeRun, type TreeWorkOptions } from './run-tree.js';
import { transformTreeFile } from './tree-source.js';

export const DECRYPT_TREE_STATES = ['decrypted', 'already-decrypted', 'not-applicable'] as const;
export type DecryptTreeState = (typeof DECRYPT_TREE_STATES)[number];

export interface DecryptTreeOptions extends TreeWorkOptions<DecryptTreeState> {
  /** Keyring, expected context and limits, as for one file. */
  readonly decrypt: Omit<StreamDecryptOptions, 'signedMessages'>;
}

/**
 * `decrypt -r`: every `NAME.pkms` under `root` is decrypted to `NAME` beside it; the message
 * stays. A message whose `NAME` exists is done, so a re-run does only the rest. Each plaintext
 * appears only once its message was wholly authenticated (signature included), never in part.
 */
export async function decryptTree(
  root: string,
  files: readonly string[],
  options: DecryptTreeOptions,
): Promise<TreeRun<DecryptTreeState>> {
  const decryptOne = async (file: string): Promise<DecryptTreeState> => {
    if (!file.endsWith(ENCRYPTED_SUFFIX) || file.length === ENCRYPTED_SUFFIX.length) return 'not-applicable';
    const path = join(root, file);
    const output = path.slice(0, -ENCRYPTED_SUFFIX.length);
    if (!options.force && (await stat(output).catch(() => undefined))) return 'already-decrypted';
    if (options.dryRun) return 'decrypted';
    // Frames may reach the temporary file before a signature is checked: it is renamed into
    // place only after the whole message verified, and deleted otherwise.
    const decrypting = () =>
      decryptStream({ ...options.decrypt, signedMessages: 'release-before-signature' });
    await transformTreeFile(root, path, decrypting, output, options.force);
    return 'decrypted';
  };
  return runTree(root, files, DECRYPT_TREE_STATES, decryptOne, {
    ...options,
    label: options.dryRun ? 'checking' : 'decrypting',
    describe: (state) => (options.dryRun && state === 'decrypted' ? 'would decrypt' : state),
  });
}
