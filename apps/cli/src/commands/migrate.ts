import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type MessageHeader, isPolykmsError, parseHeader } from '@polykms/envelope';
import { KEYSET_PURPOSE, KeysetContextKeys } from '@polykms/keyset';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { readHeaderBytes } from '../io/header-bytes.js';
import { listFiles } from '../io/list-files.js';
import { collect, parsePositiveInt, parseShard, type Shard } from '../options.js';
import { forEachConcurrently } from '../pool.js';
import { createProgress } from '../progress.js';
import { printable } from '../io/terminal-text.js';
import { addKeysetOptions } from '../keyset-options.js';
import {
  type FileState,
  type MigrationFlags,
  type MigrationTarget,
  migrationTarget,
} from '../migration-target.js';
import { checkPlan, rewrapFileInPlace } from '../rewrap-message.js';

interface MigrateFlags extends MigrationFlags {
  concurrency?: string;
  dryRun?: boolean;
  shard?: string;
  verbose?: boolean;
  json?: boolean;
}

export interface MigrateSummary {
  readonly dryRun: boolean;
  readonly shard: Shard | undefined;
  readonly files: number;
  readonly migrated: number;
  readonly alreadyMigrated: number;
  readonly notApplicable: number;
  readonly failed: readonly { file: string; code: string; error: string }[];
}

/** Which worker of `--shard i/n` owns a file: by a hash of its path, so it never depends on listing order. */
export function shardOf(relativePath: string, count: number): number {
  return createHash('sha256').update(relativePath).digest().readUInt32BE(0) % count;
}

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
        '`polykms keyset rewrap FILE`, which touches no data. Each new file is decrypted with its ' +
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
    .option('--concurrency <n>', 'files in flight at once', '4')
    .option('--shard <i/n>', 'take only this worker’s share of the files (0 ≤ i < n), for parallel jobs')
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
        '      --add-key azure-kv://myvault.vault.azure.net/keys/app   # then: every later move, no data touched',
    )
    .action(async (dir: string, flags: MigrateFlags) => {
      const summary = await migrate(dir, flags);
      if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stderr.write(formatSummary(summary));
      if (summary.failed.length > 0) process.exitCode = ExitCode.PartialFailure;
    });
}

export function formatSummary(s: MigrateSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run: ' : ''}${s.files} files${s.shard ? ` in shard ${s.shard.index}/${s.shard.count}` : ''}: ` +
      `${s.migrated} ${s.dryRun ? 'to migrate' : 'migrated'}, ${s.alreadyMigrated} already migrated, ` +
      `${s.notApplicable} skipped (not a message, a keyset, or no --from recipient), ${s.failed.length} failed`,
    ...s.failed.map((f) => `  failed ${printable(f.file)}: [${printable(f.code)}] ${printable(f.error)}`),
  ];
  if (s.failed.length > 0)
    lines.push('Fix the cause and run the same command again: migrated files are skipped.');
  return `${lines.join('\n')}\n`;
}

async function migrate(dir: string, flags: MigrateFlags): Promise<MigrateSummary> {
  const concurrency = parsePositiveInt(flags.concurrency ?? '4', '--concurrency');
  const shard = flags.shard ? parseShard(flags.shard) : undefined;
  const dryRun = flags.dryRun === true;
  const target = await migrationTarget(flags, dryRun);
  try {
    return await migrateFiles(dir, target, { concurrency, shard, dryRun, verbose: flags.verbose === true });
  } finally {
    target.close();
  }
}

interface RunOptions {
  readonly concurrency: number;
  readonly shard: Shard | undefined;
  readonly dryRun: boolean;
  readonly verbose: boolean;
}

async function migrateFiles(
  dir: string,
  target: MigrationTarget,
  { concurrency, shard, dryRun, verbose }: RunOptions,
): Promise<MigrateSummary> {
  let files = await listFiles(dir);
  if (shard) files = files.filter((file) => shardOf(file, shard.count) === shard.index);
  const counts = { migrated: 0, alreadyMigrated: 0, notApplicable: 0 };
  const failed: { file: string; code: string; error: string }[] = [];
  const progress = createProgress(files.length, dryRun ? 'checking' : 'migrating');
  const log = (file: string, what: string) => {
    if (verbose) process.stderr.write(`${what.padEnd(16)} ${printable(file)}\n`);
  };

  await forEachConcurrently(files, concurrency, async (file) => {
    const path = join(dir, file);
    try {
      const state = await migrateFile(path, dir, target, dryRun);
      if (state === 'migrated') counts.migrated++;
      else if (state === 'already-migrated') counts.alreadyMigrated++;
      else counts.notApplicable++;
      log(file, dryRun && state === 'migrated' ? 'would migrate' : state);
    } catch (error) {
      const code = isPolykmsError(error)
        ? error.code
        : error instanceof CliError
          ? 'ERR_REFUSED'
          : ((error as { code?: string }).code ?? 'ERR_UNEXPECTED');
      failed.push({ file, code, error: error instanceof Error ? error.message : String(error) });
      log(file, 'failed');
    } finally {
      progress.increment();
    }
  });
  progress.stop();
  return { dryRun, shard, files: files.length, ...counts, failed };
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
