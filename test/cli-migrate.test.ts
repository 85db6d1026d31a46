import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHeader } from '@polykms/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, filesIn, runCli, workDir } from './cli-harness.js';

// migrate and rewrap on local key files: the bookkeeping (dry run, shards, skips, failures, resume),
// and re-encryption as the default (new message ids; --header-only only in place).
let dir: string;
let cleanup: () => Promise<void>;
const cli = (args: string[]) => runCli(args, { cwd: dir });
const COUNT = 10;
const files = Array.from({ length: COUNT }, (_, i) => join('tree', i % 3 ? `d${i % 3}` : '', `m${i}.pkms`));
/** Each file's message id before any migration. */
const originalIds = new Map<string, string>();
const messageIdOf = async (file: string) =>
  Buffer.from(parseHeader(await readFile(join(dir, file))).messageId).toString('hex');
/** Migrating keeps third.key as a recipient: a local key must be given to be wrapped for again. */
const MIGRATE = ['--from', 'local://old.key', '--to', 'local://new.key', '--key', 'local://third.key'];

async function summary(args: string[]) {
  const result = await cli(['migrate', 'tree', '--json', ...args]);
  return { code: result.code, stderr: result.stderr, ...JSON.parse(result.stdout.toString() || '{}') };
}

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  for (const key of ['old.key', 'new.key', 'third.key'])
    expect((await cli(['keys', 'generate', key])).code).toBe(0);
  await mkdir(join(dir, 'tree', 'd1'), { recursive: true });
  await mkdir(join(dir, 'tree', 'd2'), { recursive: true });
  await writeFile(join(dir, 'source.txt'), 'a record');
  for (const file of files) {
    expect(
      (await cli(['encrypt', 'source.txt', '-k', 'local://old.key', '-k', 'local://third.key', '-o', file]))
        .code,
    ).toBe(0);
  }
  for (const file of files) originalIds.set(file, await messageIdOf(file));
  await writeFile(join(dir, 'tree', 'README.txt'), 'not a message');
  expect(
    (await cli(['encrypt', 'source.txt', '-k', 'local://third.key', '-o', 'tree/unrelated.pkms'])).code,
  ).toBe(0);
}, 120_000);

afterAll(() => cleanup?.());

describe('polykms migrate', () => {
  it('--dry-run reports what would change and writes nothing', async () => {
    const before = await Promise.all(files.map((f) => readFile(join(dir, f))));
    const s = await summary(['--from', 'local://old.key', '--to', 'local://new.key', '--dry-run']);
    expect(s).toMatchObject({
      code: 0,
      dryRun: true,
      files: COUNT + 2,
      migrated: COUNT,
      alreadyMigrated: 0,
      notApplicable: 2,
    });
    expect(await Promise.all(files.map((f) => readFile(join(dir, f))))).toEqual(before);
  });

  it('--shard i/n splits the files so that the shards cover each exactly once', async () => {
    const shards = await Promise.all(
      [0, 1, 2].map((i) =>
        summary(['--from', 'local://old.key', '--to', 'local://new.key', '--dry-run', '--shard', `${i}/3`]),
      ),
    );
    expect(shards.reduce((sum, s) => sum + s.files, 0)).toBe(COUNT + 2);
    expect(shards.reduce((sum, s) => sum + s.migrated, 0)).toBe(COUNT);
  });

  it('fails every file whose kept local recipient was not given with --key, and changes none', async () => {
    const before = await Promise.all(files.map((f) => readFile(join(dir, f))));
    const s = await summary(['--from', 'local://old.key', '--to', 'local://new.key']);
    expect(s).toMatchObject({ code: 9, migrated: 0 });
    expect(s.failed).toHaveLength(COUNT);
    expect(s.failed[0].error).toContain('polykms-local/third-');
    expect(s.failed[0].error).toContain('--key');
    expect(await Promise.all(files.map((f) => readFile(join(dir, f))))).toEqual(before);
  });

  it('reports a file it cannot migrate, migrates the rest, and exits 9', async () => {
    // Damage the old key's EDK in one file: its header still names old.key, but it cannot be opened.
    const victim = join(dir, files[0]!);
    const bytes = await readFile(victim);
    const info = JSON.parse((await cli(['inspect', files[0]!, '--json'])).stdout.toString());
    bytes[info.headerLength - 60] = (bytes[info.headerLength - 60] ?? 0) ^ 0xff;
    await writeFile(victim, bytes);
    const s = await summary(MIGRATE);
    expect(s.code).toBe(9);
    expect(s.migrated).toBe(COUNT - 1);
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0].file).toBe(files[0]!.slice('tree/'.length));
  });

  it('re-encrypts: every migrated file has a new message id', async () => {
    for (const file of files.slice(1)) expect(await messageIdOf(file), file).not.toBe(originalIds.get(file));
  });

  it('recognises migrated files from their header on the next run and only retries the failure', async () => {
    const s = await summary(MIGRATE);
    expect(s).toMatchObject({ code: 9, migrated: 0, alreadyMigrated: COUNT - 1, notApplicable: 2 });
    expect(s.failed).toHaveLength(1);
  });

  it('keeps the other recipients: migrated files open with the new key and the third key, not the old', async () => {
    for (const file of [files[1]!, files[COUNT - 1]!]) {
      for (const [key, code] of [
        ['local://new.key', 0],
        ['local://third.key', 0],
        ['local://old.key', 4],
      ] as const) {
        const result = await cli(['decrypt', file, '-k', key, '-o', '-']);
        expect(result.code, `${file} with ${key}: ${result.stderr}`).toBe(code);
      }
    }
  });

  it('--header-only (expert) rewrites headers in place: same message ids, no local key needed for kept recipients', async () => {
    await mkdir(join(dir, 'expert-tree'));
    for (const name of ['a.pkms', 'b.pkms']) {
      const file = join('expert-tree', name);
      expect(
        (await cli(['encrypt', 'source.txt', '-k', 'local://old.key', '-k', 'local://third.key', '-o', file]))
          .code,
      ).toBe(0);
    }
    const ids = [await messageIdOf('expert-tree/a.pkms'), await messageIdOf('expert-tree/b.pkms')];
    const result = await cli([
      'migrate',
      'expert-tree',
      '--from',
      'local://old.key',
      '--to',
      'local://new.key',
      '--header-only',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect([await messageIdOf('expert-tree/a.pkms'), await messageIdOf('expert-tree/b.pkms')]).toEqual(ids);
    for (const key of ['local://new.key', 'local://third.key']) {
      expect((await cli(['decrypt', 'expert-tree/a.pkms', '-k', key, '-o', '-'])).stdout.toString()).toBe(
        'a record',
      );
    }
  });

  it('needs both --from and --to', async () => {
    const result = await cli(['migrate', 'tree', '--to', 'local://new.key']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from');
  });
});

describe('polykms rewrap on local keys', () => {
  const MOVE_ONE_TO_THIRD = ['rewrap', 'one.pkms', '--key', 'local://old.key', '--to', 'local://third.key'];

  it('refuses to remove the last recipient', async () => {
    expect((await cli(['encrypt', 'source.txt', '-k', 'local://old.key', '-o', 'one.pkms'])).code).toBe(0);
    const result = await cli([
      'rewrap',
      'one.pkms',
      '--key',
      'local://old.key',
      '--remove-key',
      'local://old.key',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no recipient');
  });

  it('adds a recipient, opening the data key with --key, and replaces the file in place', async () => {
    const result = await cli([
      'rewrap',
      'one.pkms',
      '--key',
      'local://old.key',
      '--add-key',
      'local://new.key',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect((await cli(['decrypt', 'one.pkms', '-k', 'local://new.key', '-o', '-'])).stdout.toString()).toBe(
      'a record',
    );
  });

  it('re-encrypts a message streamed from stdin to stdout', async () => {
    const original = await readFile(join(dir, 'one.pkms'));
    const result = await runCli(
      ['rewrap', '-', '--key', 'local://old.key', '--to', 'local://third.key', '-o', '-'],
      { cwd: dir, input: original },
    );
    expect(result.code, result.stderr).toBe(0);
    // A new message: new id (hence new keys), new body; only the new recipient opens it.
    expect(parseHeader(result.stdout).messageId).not.toEqual(parseHeader(original).messageId);
    await writeFile(join(dir, 'piped.pkms'), result.stdout);
    expect(
      (await cli(['decrypt', 'piped.pkms', '-k', 'local://third.key', '-o', '-'])).stdout.toString(),
    ).toBe('a record');
    expect((await cli(['decrypt', 'piped.pkms', '-k', 'local://old.key', '-o', '-'])).code).not.toBe(0);
  });

  it('-o keeps the original beside a copy that shares no message id with it', async () => {
    const original = await readFile(join(dir, 'one.pkms'));
    const result = await cli([...MOVE_ONE_TO_THIRD, '-o', 'copy.pkms']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(dir, 'one.pkms'))).toEqual(original);
    const copy = await readFile(join(dir, 'copy.pkms'));
    expect(parseHeader(copy).messageId).not.toEqual(parseHeader(original).messageId);
    expect(
      (await cli(['decrypt', 'copy.pkms', '-k', 'local://third.key', '-o', '-'])).stdout.toString(),
    ).toBe('a record');
  });

  it('refuses --header-only with -o, and on stdin, writing nothing', async () => {
    const original = await readFile(join(dir, 'one.pkms'));
    const toFile = await cli([...MOVE_ONE_TO_THIRD, '--header-only', '-o', 'header-only-copy.pkms']);
    expect(toFile.code).toBe(2);
    expect(toFile.stderr).toContain('forge');
    expect(await filesIn(dir)).not.toContain('header-only-copy.pkms');
    const piped = await runCli(
      ['rewrap', '-', '--key', 'local://old.key', '--to', 'local://third.key', '--header-only'],
      { cwd: dir, input: original },
    );
    expect(piped.code).toBe(2);
    expect(piped.stdout.length).toBe(0);
    expect(await readFile(join(dir, 'one.pkms'))).toEqual(original);
  });

  it('--header-only in place keeps the message id and body (which is why it is refused with -o)', async () => {
    await writeFile(join(dir, 'expert.pkms'), await readFile(join(dir, 'one.pkms')));
    const before = await readFile(join(dir, 'expert.pkms'));
    const result = await cli([
      'rewrap',
      'expert.pkms',
      '--key',
      'local://old.key',
      '--to',
      'local://third.key',
      '--header-only',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const after = await readFile(join(dir, 'expert.pkms'));
    expect(parseHeader(after).messageId).toEqual(parseHeader(before).messageId);
    expect(after.subarray(parseHeader(after).length)).toEqual(before.subarray(parseHeader(before).length));
  });

  it('refuses a truncated message on stdin, writing nothing', async () => {
    const original = await readFile(join(dir, 'one.pkms'));
    const result = await runCli(
      ['rewrap', '-', '--key', 'local://old.key', '--to', 'local://third.key', '-o', '-'],
      {
        cwd: dir,
        input: original.subarray(0, 40),
      },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ERR_MALFORMED_MESSAGE');
    expect(result.stdout.length).toBe(0);
  });

  it('says which key to use when the header names no cloud key and --key is missing', async () => {
    const result = await cli(['rewrap', 'one.pkms', '--add-key', 'local://third.key']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--key');
  });

  it('re-encrypts a signed message, which --header-only refuses (exit 1, file untouched)', async () => {
    expect(
      (
        await cli([
          'encrypt',
          'source.txt',
          '-k',
          'local://old.key',
          '--suite',
          'committed-signed',
          '-o',
          's.pkms',
        ])
      ).code,
    ).toBe(0);
    const before = await readFile(join(dir, 's.pkms'));
    const args = ['rewrap', 's.pkms', '--key', 'local://old.key', '--add-key', 'local://new.key'];
    const refused = await cli([...args, '--header-only']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ERR_UNSUPPORTED');
    expect(await readFile(join(dir, 's.pkms'))).toEqual(before);

    const result = await cli(args);
    expect(result.code, result.stderr).toBe(0);
    for (const key of ['local://old.key', 'local://new.key']) {
      expect((await cli(['decrypt', 's.pkms', '-k', key, '-o', '-'])).stdout.toString(), key).toBe(
        'a record',
      );
    }
  });
});
