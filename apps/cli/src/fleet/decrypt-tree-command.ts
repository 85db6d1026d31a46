import type { StreamDecryptOptions } from '@polykms/envelope';
import { type DecryptTreeState, decryptTree } from './decrypt-tree.js';
import type { TreeRun } from './run-tree.js';
import { type TreeFlags, printTreeSummary, treeRunSettings } from './tree-command.js';
import { formatTreeSummary, treeSummary } from './tree-summary.js';

const WORDS = (dryRun: boolean) =>
  [
    ['decrypted', dryRun ? 'to decrypt' : 'decrypted'],
    ['already-decrypted', 'already decrypted (NAME exists beside NAME.pkms)'],
    ['not-applicable', 'not applicable (no .pkms suffix)'],
  ] as const;

/** `polykms decrypt -r DIR`. */
export async function decryptTreeCommand(
  dir: string,
  flags: TreeFlags & { force?: boolean },
  decrypt: Omit<StreamDecryptOptions, 'signedMessages'>,
): Promise<void> {
  const settings = await treeRunSettings(dir, flags);
  const print = (run: TreeRun<DecryptTreeState>) => {
    const summary = treeSummary(run, settings.dryRun, settings.shard);
    const rerun = 'Fix the cause and run the same command again: files already decrypted are skipped.';
    printTreeSummary(
      flags.json === true,
      summary,
      formatTreeSummary(run, summary, WORDS(settings.dryRun), rerun),
    );
  };
  const run = await decryptTree(dir, settings.files, {
    ...settings,
    decrypt,
    force: flags.force === true,
    verbose: flags.verbose === true,
    onInterrupt: print,
  });
  print(run);
}
