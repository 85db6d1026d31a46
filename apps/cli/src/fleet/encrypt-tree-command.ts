import type { SuiteId } from '@polykms/envelope';
import { type EncryptTreeState, encryptTree } from './encrypt-tree.js';
import type { TreeRun } from './run-tree.js';
import { type TreeFlags, printTreeSummary, treeRunSettings } from './tree-command.js';
import { formatTreeSummary, treeSummary } from './tree-summary.js';

const WORDS = (dryRun: boolean) =>
  [
    ['encrypted', dryRun ? 'to encrypt' : 'encrypted'],
    ['already-encrypted', 'already encrypted (NAME.pkms exists)'],
    ['not-applicable', 'not applicable (a .pkms message)'],
  ] as const;

/** `polykms encrypt -r DIR`. */
export async function encryptTreeCommand(
  dir: string,
  flags: TreeFlags & { key?: string[]; force?: boolean },
  message: { context: Record<string, string>; suite: SuiteId; frameLength: number | undefined },
): Promise<void> {
  const settings = await treeRunSettings(dir, flags);
  const print = (run: TreeRun<EncryptTreeState>) => {
    const summary = treeSummary(run, settings.dryRun, settings.shard);
    const rerun = 'Fix the cause and run the same command again: files already encrypted are skipped.';
    printTreeSummary(
      flags.json === true,
      summary,
      formatTreeSummary(run, summary, WORDS(settings.dryRun), rerun),
    );
  };
  const run = await encryptTree(dir, settings.files, {
    ...settings,
    ...message,
    keys: flags.key,
    force: flags.force === true,
    verbose: flags.verbose === true,
    onInterrupt: print,
  });
  print(run);
}
