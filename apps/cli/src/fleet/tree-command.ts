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
import { selectFiles } from './select-files.js';

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

/** Prints a run's summary (JSON on stdout, or text on stderr) and sets the exit code 9 when files failed. */
export function printTreeSummary(
  json: boolean,
  summary: object & { failed: readonly unknown[]; stopped?: unknown },
  text: string,
): void {
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stderr.write(text);
  if (summary.failed.length > 0 || summary.stopped) process.exitCode = ExitCode.PartialFailure;
}
