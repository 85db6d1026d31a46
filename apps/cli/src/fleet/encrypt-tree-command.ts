import type { SuiteId } from '@polykms/envelope';
import type { KeysetFlags } from '../keyset-options.js';
import { encryptTree } from './encrypt-tree.js';
import { type TreeFlags, treeCommand } from './tree-command.js';

/** `polykms encrypt -r DIR`. */
export function encryptTreeCommand(
  dir: string,
  flags: TreeFlags & KeysetFlags & { key?: string[]; force?: boolean },
  message: { context: Record<string, string>; suite: SuiteId; frameLength: number | undefined },
): Promise<void> {
  const wording = {
    states: (dryRun: boolean) =>
      [
        ['encrypted', dryRun ? 'to encrypt' : 'encrypted'],
        ['already-encrypted', 'already encrypted (NAME.pkms exists)'],
        ['not-applicable', 'not applicable (a .pkms message)'],
      ] as const,
    rerun: 'Run the same command again (once any failure is fixed): files already encrypted are skipped.',
  };
  return treeCommand(dir, flags, wording, (files, options) =>
    encryptTree(dir, files, { ...options, ...message, keyFlags: flags }),
  );
}
