import { join } from 'node:path';
import type { Command } from 'commander';
import { type MessageHeader, isPolykmsError, parseHeader } from '@polykms/envelope';
import { KEYSET_PURPOSE, KeysetContextKeys } from '@polykms/keyset';
import { ExitCode } from '../exit-codes.js';
import { readHeaderBytes } from '../io/header-bytes.js';
import { collect, parsePositiveInt, type Shard } from '../options.js';
import { addKeysetOptions } from '../keyset-options.js';
import { keysetVersionTarget } from '../keyset-version-target.js';
import {
  type FileState,
  type MigrationFlags,
  type MigrationTarget,
  migrationTarget,
} from '../migration-target.js';
import { checkPlan, rewrapFileInPlace } from '../rewrap-message.js';
import {
  type FleetFlags,
  SHARD_HELP,
  addFailureOptions,
  failurePolicyOf,
  shardOfFlags,
} from '../fleet/fleet-options.js';
import { type RunOutcome, formatRunOutcome, runOutcome } from '../fleet/run-summary.js';
import { runTree } from '../fleet/run-tree.js';
import { selectFiles } from '../fleet/select-files.js';

interface MigrateFlags extends MigrationFlags, FleetFlags {
  concurrency?: string;
  dryRun?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export interface MigrateSummary extends RunOutcome {
  readonly dryRun: boolean;
  readonly shard: Shard | undefined;
  readonly files: number;
  readonly migrated: number;
  readonly alreadyMigrated: number;
  readonly notApplicable: number;
}

export { shardOf } from '../fleet/select-files.js';

export function registerMigrate(program: Command): void {
  const command = program
    .command('migrate')
    .summary('re-encrypt every message under a directory from some keys to others, or under a keyset')
    .description(
      'For each message under DIR whose recipients include a --from key: open it with a --from key ' +
        '(or --key), re-encrypt it with a new message id and data key for every --to key and every ' +
        'other recipient it had (cloud recipients are named in the message; pass local ones with ' +
        '--key), dropping the --from recipients. With --keyset FILE --unlock URI instead of --to, ' +
        'the keyset becomes its only recipient: every later move between clouds is then one ' +
        '`polykms keyset rewrap FILE`, which touches no data. With --keyset FILE --unlock URI and no ' +
        '--from, files the keyset wrapped under versions older than its primary (or --below-version N) ' +
        'are re-encrypted under the primary: the step between `keyset rotate` and `keyset retire`. ' +
        'Each new file is decrypted with its ' +
        'new recipients, then renamed over the original, so an interrupted run loses nothing: run it ' +
        'again and files already migrated (recognised from their header, with no KMS call) are ' +
        'skipped. --header-only (expert) rewrites headers only: see `polykms rewrap --help` for why ' +
        'that is unsafe when any older copy of a file (a backup, a snapshot) survives.',
    )
    .argument('<dir>', 'the directory to migrate (searched recursively)')
    .option('--from <uri>', 'a key to migrate away from (repeatable)', collect)
    .option('--to <uri>', 'a key to migrate to (repeatable)', collect)
    .option(
      '-k, --key <uri>',
      'another key allowed to open messages; local recipients to keep must be given here (repeatable)',
      collect,
    );
  addKeysetOptions(command)
    .option(
      '--below-version <n>',
      'with --keyset and no --from: move files wrapped under keyset versions below N (default: the primary) to the primary',
    )
    .option('--concurrency <n>', 'files in flight at once', '4')
    .option('--shard <i/n|auto>', SHARD_HELP)
    .option('--dry-run', 'report what would change; write nothing and call no KMS')
    .option('--header-only', 'expert: rewrite headers in place instead of re-encrypting (see above)')
    .option('-v, --verbose', 'print one line per file')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  polykms migrate ./archive --from aws-kms://arn:aws:kms:… --to azure-kv://myvault.vault.azure.net/keys/app\n' +
        '  polykms migrate ./archive --from local://old.key --to local://new.key --shard 2/8 --concurrency 16\n' +
        '  polykms migrate ./archive --from aws-kms://arn:aws:kms:… --keyset data.keyset --unlock gcp-kms://projects/…/cryptoKeys/k\n' +
        '  polykms keyset rewrap data.keyset --unlock gcp-kms://projects/…/cryptoKeys/k \\\n' +
        '      --add-key azure-kv://myvault.vault.azure.net/keys/app   # then: every later move, no data touched' +
        '\n  polykms keyset rotate data.keyset --unlock gcp-kms://projects/…/cryptoKeys/k\n' +
        '  polykms migrate ./archive --keyset data.keyset --unlock gcp-kms://projects/…/cryptoKeys/k   # old versions → primary\n' +
        '  polykms keyset retire data.keyset 1 --unlock gcp-kms://projects/…/cryptoKeys/k' +
        '\n  POLYKMS_SHARD_COUNT=8 polykms migrate /data --from … --to … --shard auto --max-failures 100',
    )
    .action(async (dir: string, flags: MigrateFlags) => {
      const print = (summary: MigrateSummary) => {
        if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else process.stderr.write(formatSummary(summary));
      };
      const summary = await migrate(dir, flags, print);
      print(summary);
      if (summary.failed.length > 0 || summary.stopped) process.exitCode = ExitCode.PartialFailure;
    });
  addFailureOptions(command);
}

function formatSummary(s: MigrateSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run: ' : ''}${s.files} files${s.shard ? ` in shard ${s.shard.index}/${s.shard.count}` : ''}: ` +
      `${s.migrated} ${s.dryRun ? 'to migrate' : 'migrated'}, ${s.alreadyMigrated} already migrated, ` +
      `${s.notApplicable} not applicable (not a message, a keyset file, or not under the keys it moves from), ${s.failed.length} failed`,
    ...formatRunOutcome(s, 'Fix the cause and run the same command again: migrated files are skipped.'),
  ];
  return `${lines.join('\n')}\n`;
}

async function migrate(
  dir: string,
  flags: MigrateFlags,
  onInterrupt: (partial: MigrateSummary) => void,
): Promise<MigrateSummary> {
  const concurrency = parsePositiveInt(flags.concurrency ?? '4', '--concurrency');
  const shard = shardOfFlags(flags);
  const failurePolicy = failurePolicyOf(flags);
  const dryRun = flags.dryRun === true;
  // --keyset alone moves files between the keyset's versions; with --from, into the keyset.
  const target =
    !flags.from?.length && flags.keyset !== undefined
      ? await keysetVersionTarget(flags, dryRun)
      : await migrationTarget(flags, dryRun);
  try {
    return await migrateFiles(dir, target, flags, { concurrency, shard, failurePolicy, dryRun }, onInterrupt);
  } finally {
    target.close();
  }
}

interface RunOptions {
  readonly concurrency: number;
  readonly shard: Shard | undefined;
  readonly failurePolicy: ReturnType<typeof failurePolicyOf>;
  readonly dryRun: boolean;
}

async function migrateFiles(
  dir: string,
  target: MigrationTarget,
  flags: MigrateFlags,
  { concurrency, shard, failurePolicy, dryRun }: RunOptions,
  onInterrupt: (partial: MigrateSummary) => void,
): Promise<MigrateSummary> {
  const files = await selectFiles(dir, shard);
  const summaryOf = (run: Awaited<ReturnType<typeof runTree<FileState>>>): MigrateSummary => ({
    dryRun,
    shard,
    files: run.files,
    migrated: run.counts.migrated,
    alreadyMigrated: run.counts['already-migrated'],
    notApplicable: run.counts['not-applicable'],
    ...runOutcome(run),
  });
  const run = await runTree(
    dir,
    files,
    ['migrated', 'already-migrated', 'not-applicable', 'failed'] as const,
    (file) => migrateFile(join(dir, file), dir, target, dryRun),
    {
      concurrency,
      failurePolicy,
      label: dryRun ? 'checking' : 'migrating',
      verbose: flags.verbose === true,
      describe: (state) => (dryRun && state === 'migrated' ? 'would migrate' : state),
      onInterrupt: (partial) => onInterrupt(summaryOf(partial)),
    },
  );
  return summaryOf(run);
}

async function migrateFile(
  path: string,
  root: string,
  target: MigrationTarget,
  dryRun: boolean,
): Promise<FileState> {
  let header: MessageHeader;
  try {
    header = parseHeader((await readHeaderBytes(path)).bytes);
  } catch (error) {
    if (isPolykmsError(error, 'ERR_MALFORMED_MESSAGE')) return 'not-applicable';
    throw error;
  }
  // A keyset file moves with `keyset rewrap`, which keeps its generation counter; re-encrypted under
  // a keyset (maybe its own), it could never be opened again.
  if (header.encryptionContext[KeysetContextKeys.purpose] === KEYSET_PURPOSE) return 'not-applicable';
  const state = target.classify(header);
  if (state !== 'migrated' || !target.plan) return state;
  // Refuses (this file fails) when a --to local key shares its name with a recipient that stays.
  checkPlan(header, target.plan);
  if (dryRun) return state;
  // Streamed into a temporary file renamed over the original: the file is old or new, never half.
  await rewrapFileInPlace(path, target.plan, { within: root });
  return 'migrated';
}
