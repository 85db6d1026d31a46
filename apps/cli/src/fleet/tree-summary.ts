import type { Shard } from '../options.js';
import { type RunOutcome, formatRunOutcome, runOutcome } from './run-summary.js';
import type { TreeRun } from './run-tree.js';

/** `already-encrypted` → `alreadyEncrypted`: the JSON summary's field for a state. */
function fieldOf(state: string): string {
  return state.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The `--json` summary of `encrypt -r` / `decrypt -r`: one count per state, as `migrate` has. */
export type TreeSummary = RunOutcome & {
  readonly dryRun: boolean;
  readonly shard: Shard | undefined;
  readonly files: number;
  readonly [count: string]: unknown;
};

export function treeSummary(run: TreeRun<string>, dryRun: boolean, shard: Shard | undefined): TreeSummary {
  const counts = Object.fromEntries(Object.entries(run.counts).map(([state, n]) => [fieldOf(state), n]));
  return { dryRun, shard, files: run.files, ...counts, ...runOutcome(run) };
}

/**
 * The text summary: `dry run: 12 files in shard 0/2: 3 to encrypt, 9 already encrypted, …`.
 * `states` gives each state's words, in order, from the count.
 */
export function formatTreeSummary(
  run: TreeRun<string>,
  summary: TreeSummary,
  states: readonly (readonly [state: string, words: string])[],
  rerun: string,
): string {
  const shard = summary.shard ? ` in shard ${summary.shard.index}/${summary.shard.count}` : '';
  const counts = states.map(([state, words]) => `${run.counts[state] ?? 0} ${words}`);
  const lines = [
    `${summary.dryRun ? 'dry run: ' : ''}${summary.files} files${shard}: ${[...counts, `${run.failed.length} failed`].join(', ')}`,
    ...formatRunOutcome(summary, rerun),
  ];
  return `${lines.join('\n')}\n`;
}
