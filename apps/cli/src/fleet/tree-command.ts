import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { printable } from '../io/terminal-text.js';
import { parsePositiveInt, type Shard } from '../options.js';
import type { FailurePolicy } from './failure-policy.js';
import {
  addFailureOptions,
  type FleetFlags,
  failurePolicyOf,
  SHARD_HELP,
  shardOfFlags,
} from './fleet-options.js';
import type { TreeRun, TreeWorkOptions } from './run-tree.js';
import { selectFiles } from './select-files.js';
import { formatTreeSummary, treeSummary } from './tree-summary.js';

/** The flags `encrypt -r` and `decrypt -r` add to the one-file commands. */
export interface TreeFlags extends FleetFlags {
  recursive?: boolean;
  concurrency?: string;
  dryRun?: boolean;
  verbose?: boolean;
  json?: boolean;
  output?: string;
}

export function addTreeOptions(command: Command): Command {
  command
    .option(
      '-r, --recursive',
      'FILE is a directory: work on every file under it (resumable; see --dry-run, --shard)',
    )
    .option('--concurrency <n>', 'with -r: files in flight at once (default 4)')
    .option('--shard <i/n|auto>', `with -r: ${SHARD_HELP}`)
    .option('--dry-run', 'with -r: report what would be done; write nothing, call no KMS')
    .option('-v, --verbose', 'with -r: print one line per file')
    .option('--json', 'with -r: print the summary as JSON on stdout');
  return addFailureOptions(command);
}

export interface TreeRunSettings {
  readonly files: readonly string[];
  readonly shard: Shard | undefined;
  readonly concurrency: number;
  readonly failurePolicy: FailurePolicy;
  readonly dryRun: boolean;
}

/** Checks the flags of a `-r` run and lists this worker's files under `dir`. */
export async function treeRunSettings(dir: string, flags: TreeFlags): Promise<TreeRunSettings> {
  if (flags.output !== undefined)
    throw new CliError('-r writes each output beside its input: --output does not apply');
  const stats = await stat(dir).catch(() => undefined);
  if (!stats) throw new CliError(`no such directory '${printable(dir)}'`, ExitCode.Io);
  if (!stats.isDirectory())
    throw new CliError(
      `'${printable(dir)}' is a file, not a directory: -r takes a directory (drop -r for one file)`,
      ExitCode.Io,
    );
  const shard = shardOfFlags(flags);
  return {
    files: await selectFiles(dir, shard),
    shard,
    concurrency: parsePositiveInt(flags.concurrency ?? '4', '--concurrency'),
    failurePolicy: failurePolicyOf(flags),
    dryRun: flags.dryRun === true,
  };
}

/** How a command names its states in the text summary, and how to resume. */
export interface TreeWording {
  readonly states: (dryRun: boolean) => readonly (readonly [state: string, words: string])[];
  readonly rerun: string;
}

/**
 * `encrypt -r` / `decrypt -r`: lists this worker's files, runs `work` over them, and prints the
 * summary (JSON on stdout or text on stderr; on Ctrl-C too), exit code 9 when files failed.
 */
export async function treeCommand<S extends string>(
  dir: string,
  flags: TreeFlags & { force?: boolean },
  wording: TreeWording,
  work: (files: readonly string[], options: TreeWorkOptions<S>) => Promise<TreeRun<S>>,
): Promise<void> {
  const settings = await treeRunSettings(dir, flags);
  const print = (run: TreeRun<S>) => {
    const summary = treeSummary(run, settings.dryRun, settings.shard);
    const text = formatTreeSummary(run, summary, wording.states(settings.dryRun), wording.rerun);
    if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stderr.write(text);
    if (summary.failed.length > 0 || summary.stopped) process.exitCode = ExitCode.PartialFailure;
  };
  print(
    await work(settings.files, {
      ...settings,
      force: flags.force === true,
      verbose: flags.verbose === true,
      onInterrupt: print,
    }),
  );
}
