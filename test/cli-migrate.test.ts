import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHeader } from '@polykms/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

// migrate and rewrap on local key files: the bookkeeping (dry run, shards, skips, failures, resume).
let dir: string;
let cleanup: () => Promise<void>;
const cli = (args: string[]) => runCli(args, { cwd: dir });
const COUNT = 10;
const files = Array.from({ length: COUNT }, (_, i) => join('tree', i % 3 ? `d${i % 3}` : '', `m${i}.pkms`));

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

  it('reports a file it cannot migrate, migrates the rest, and exits 9', async () => {
    // Damage the old key's EDK in one file: its header still names old.key, but it cannot be opened.
    const victim = join(dir, files[0]!);
    const bytes = await readFile(victim);
    const info = JSON.parse((await cli(['inspect', files[0]!, '--json'])).stdout.toString());
    bytes[info.headerLength - 60] = (bytes[info.headerLength - 60] ?? 0) ^ 0xff;
    await writeFile(victim, bytes);
    const s = await summary(['--from', 'local://old.key', '--to', 'local://new.key']);
    expect(s.code).toBe(9);
    expect(s.migrated).toBe(COUNT - 1);
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0].file).toBe(files[0]!.slice('tree/'.length));
  });

  it('recognises migrated files from their header on the next run and only retries the failure', async () => {
    const s = await summary(['--from', 'local://old.key', '--to', 'local://new.key']);
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

  it('needs both --from and --to', async () => {
    const result = await cli(['migrate', 'tree', '--to', 'local://new.key']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from');
  });
});

describe('polykms rewrap on local keys', () => {
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

  it('rewraps a message streamed from stdin to stdout', async () => {
    const original = await readFile(join(dir, 'one.pkms'));
    const result = await runCli(
      ['rewrap', '-', '--key', 'local://old.key', '--to', 'local://third.key', '-o', '-'],
      { cwd: dir, input: original },
    );
    expect(result.code, result.stderr).toBe(0);
    // Same body, new header: only the new recipient opens it.
    const body = (message: Uint8Array) => message.subarray(parseHeader(message).length);
    expect(body(result.stdout)).toEqual(body(original));
    await writeFile(join(dir, 'piped.pkms'), result.stdout);
    expect(
      (await cli(['decrypt', 'piped.pkms', '-k', 'local://third.key', '-o', '-'])).stdout.toString(),
    ).toBe('a record');
    expect((await cli(['decrypt', 'piped.pkms', '-k', 'local://old.key', '-o', '-'])).code).not.toBe(0);
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

  it('cannot rewrap a signed message (exit 1, file untouched)', async () => {
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
    const result = await cli([
      'rewrap',
      's.pkms',
      '--key',
      'local://old.key',
      '--add-key',
      'local://new.key',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_UNSUPPORTED');
    expect(await readFile(join(dir, 's.pkms'))).toEqual(before);
  });
});
