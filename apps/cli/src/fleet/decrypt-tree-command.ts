import type { StreamDecryptOptions } from '@polykms/envelope';
import { decryptTree } from './decrypt-tree.js';
import { type TreeFlags, treeCommand } from './tree-command.js';

/** `polykms decrypt -r DIR`. */
export function decryptTreeCommand(
  dir: string,
  flags: TreeFlags & { force?: boolean },
  decrypt: Omit<StreamDecryptOptions, 'signedMessages'>,
): Promise<void> {
  const wording = {
    states: (dryRun: boolean) =>
      [
        ['decrypted', dryRun ? 'to decrypt' : 'decrypted'],
        ['already-decrypted', 'already decrypted (NAME exists beside NAME.pkms)'],
        ['not-applicable', 'not applicable (no .pkms suffix)'],
      ] as const,
    rerun: 'Run the same command again (once any failure is fixed): files already decrypted are skipped.',
  };
  return treeCommand(dir, flags, wording, (files, options) =>
    decryptTree(dir, files, { ...options, decrypt }),
  );
}
