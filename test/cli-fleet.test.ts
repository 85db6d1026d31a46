import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, ensureCliBuilt, filesIn, runCli, workDir } from './cli-harness.js';

// encrypt -r / decrypt -r, the .polykms.yaml policy file, and the small things users hit, on local
// key files through the built CLI.
let dir: string;
let cleanup: () => Promise<void>;
const cli = (args: string[], env?: Record<string, string>) => runCli(args, { cwd: dir, env });
const json = async (args: string[], env?: Record<string, string>) => {
  const result = await cli([...args, '--json'], env);
  return { code: result.code, stderr: result.stderr, ...JSON.parse(result.stdout.toString() || '{}') };
};
const PLAIN = ['a.txt', 'sub/b.csv', 'sub/deeper/c.bin', 'sub/deeper/d.json'];
const keyNameOf = async (message: string) =>
  JSON.parse((await cli(['inspect', message, '--json'])).stdout.toString()).recipients.map(
    (r: { rawKey?: { name: string } }) => r.rawKey?.name,
  );

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  for (const [file, name] of [
    ['app.key', 'app'],
    ['team.key', 'team'],
    ['env.key', 'env'],
  ])
    expect((await cli(['keys', 'generate', file!, '--name', name!])).code).toBe(0);
  await mkdir(join(dir, 'tree/sub/deeper'), { recursive: true });
  for (const [i, file] of PLAIN.entries())
    await writeFile(join(dir, 'tree', file), `content ${i}\n`.repeat(1000));
}, 180_000);

afterAll(() => cleanup?.());

describe('encrypt -r and decrypt -r', () => {
  it('--dry-run reports every file to encrypt and writes nothing', async () => {
    const s = await json(['encrypt', '-r', 'tree', '--key', 'local://app.key', '--dry-run']);
    expect(s).toMatchObject({ code: 0, dryRun: true, files: 4, encrypted: 4, alreadyEncrypted: 0 });
    expect(await filesIn(join(dir, 'tree'))).toEqual([...PLAIN].sort());
  });

  it('writes NAME.pkms beside each file, keeps the plaintext, and a re-run skips what is done', async () => {
    const first = await json(['encrypt', '-r', 'tree', '--key', 'local://app.key', '-c', 'batch=1']);
    expect(first).toMatchObject({ code: 0, files: 4, encrypted: 4, failed: [] });
    expect(await filesIn(join(dir, 'tree'))).toEqual([...PLAIN, ...PLAIN.map((f) => `${f}.pkms`)].sort());
    const again = await json(['encrypt', '-r', 'tree', '--key', 'local://app.key']);
    expect(again).toMatchObject({ code: 0, files: 8, encrypted: 0, alreadyEncrypted: 4, notApplicable: 4 });
  });

  it('decrypts every NAME.pkms back to NAME, and only the missing ones on a re-run', async () => {
    await rm(join(dir, 'restored'), { recursive: true, force: true });
    await cp(join(dir, 'tree'), join(dir, 'restored'), { recursive: true });
    for (const file of PLAIN.slice(0, 2)) await rm(join(dir, 'restored', file));
    const s = await json(['decrypt', '-r', 'restored', '--key', 'local://app.key', '-e', 'batch=1']);
    expect(s).toMatchObject({ code: 0, decrypted: 2, alreadyDecrypted: 2, notApplicable: 2, failed: [] });
    for (const file of PLAIN)
      expect(await readFile(join(dir, 'restored', file))).toEqual(await readFile(join(dir, 'tree', file)));
  });

  it('splits the files across --shard workers, and --shard auto reads a Kubernetes Indexed Job', async () => {
    const shards = await Promise.all(
      [0, 1].map((i) =>
        json(['encrypt', '-r', 'tree', '--key', 'local://app.key', '--dry-run', '--shard', 'auto'], {
          JOB_COMPLETION_INDEX: String(i),
          POLYKMS_SHARD_COUNT: '2',
        }),
      ),
    );
    expect(shards.map((s) => s.shard)).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    expect(shards[0].files + shards[1].files).toBe(8);
    const missing = await cli(['encrypt', '-r', 'tree', '--key', 'local://app.key', '--shard', 'auto']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('JOB_COMPLETION_INDEX');
  });

  it('fails a tampered message alone, leaves no partial plaintext, and exits 9', async () => {
    await rm(join(dir, 'damaged'), { recursive: true, force: true });
    await mkdir(join(dir, 'damaged'));
    for (const file of ['x', 'y', 'z']) {
      await writeFile(join(dir, 'damaged', file), 'data '.repeat(100));
      expect((await cli(['encrypt', join('damaged', file), '--key', 'local://app.key'])).code).toBe(0);
      await rm(join(dir, 'damaged', file));
    }
    const victim = join(dir, 'damaged', 'y.pkms');
    const bytes = await readFile(victim);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 1;
    await writeFile(victim, bytes);
    const s = await json(['decrypt', '-r', 'damaged', '--key', 'local://app.key']);
    expect(s.code).toBe(9);
    expect(s).toMatchObject({ decrypted: 2, failed: [expect.objectContaining({ file: 'y.pkms' })] });
    expect(s.failuresByCause).toEqual([{ count: 1, cause: s.failed[0].code }]);
    expect(await filesIn(join(dir, 'damaged'))).toEqual(['x', 'x.pkms', 'y.pkms', 'z', 'z.pkms']);
  });

  it('stops taking files after --max-failures', async () => {
    await rm(join(dir, 'junk'), { recursive: true, force: true });
    await mkdir(join(dir, 'junk'));
    for (let i = 0; i < 6; i++) await writeFile(join(dir, 'junk', `f${i}.pkms`), 'not a message');
    const s = await json([
      'decrypt',
      '-r',
      'junk',
      '--key',
      'local://app.key',
      '--max-failures',
      '2',
      '--concurrency',
      '1',
    ]);
    expect(s.code).toBe(9);
    expect(s.failed).toHaveLength(2);
    expect(s).toMatchObject({ stopped: { kind: 'max-failures', maxFailures: 2 }, notAttempted: 4 });
  });

  it('says that -r takes a directory, and that a directory needs -r', async () => {
    const file = await cli(['encrypt', '-r', 'tree/a.txt', '--key', 'local://app.key']);
    expect(file.code).toBe(8);
    expect(file.stderr).toContain("'tree/a.txt' is a file, not a directory");
    const folder = await cli(['encrypt', 'tree', '--key', 'local://app.key']);
    expect(folder.code).toBe(8);
    expect(folder.stderr).toContain(
      "'tree' is a directory, not a file: for every file under it, use encrypt -r",
    );
    const through = await cli(['encrypt', 'tree/a.txt/x', '--key', 'local://app.key']);
    expect(through.code).toBe(8);
    expect(through.stderr).not.toContain('ENOTDIR');
  });
});

describe('the .polykms.yaml policy file', () => {
  beforeAll(async () => {
    await mkdir(join(dir, 'proj/config'), { recursive: true });
    await mkdir(join(dir, 'proj/data'), { recursive: true });
    await cp(join(dir, 'env.key'), join(dir, 'proj/env.key'));
    await cp(join(dir, 'team.key'), join(dir, 'proj/team.key'));
    await writeFile(
      join(dir, 'proj/.polykms.yaml'),
      [
        'creation_rules:',
        '  - path_regex: \\.env$',
        '    keys: [local://env.key]',
        '    context: { kind: env, team: core }',
        '  - path_glob: "data/**"',
        '    keys: [local://team.key]',
      ].join('\n'),
    );
    await writeFile(join(dir, 'proj/config/prod.env'), 'TOKEN=1');
    await writeFile(join(dir, 'proj/data/orders.csv'), 'a,b');
    await writeFile(join(dir, 'proj/README'), 'no rule');
  });
  const inProj = (args: string[], sub = 'proj') => runCli(args, { cwd: join(dir, sub) });

  it('picks the keys and default context of the first matching rule, found from a subdirectory', async () => {
    const result = await inProj(['encrypt', 'prod.env', '-c', 'team=edge'], 'proj/config');
    expect(result.code, result.stderr).toBe(0);
    const info = JSON.parse((await inProj(['inspect', 'config/prod.env.pkms', '--json'])).stdout.toString());
    expect(info.recipients.map((r: { rawKey: { name: string } }) => r.rawKey.name)).toEqual(['env']);
    // --context pairs are added to the rule's, replacing one of the same name.
    expect(info.encryptionContext).toEqual({ kind: 'env', team: 'edge' });
  });

  it('lets --key win over the rules', async () => {
    const result = await inProj([
      'encrypt',
      'data/orders.csv',
      '--key',
      'local://../app.key',
      '-o',
      'explicit.pkms',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await keyNameOf('proj/explicit.pkms')).toEqual(['app']);
  });

  it('encrypts each file of a tree with the rule for its path', async () => {
    const s = await inProj(['encrypt', '-r', 'data', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(await keyNameOf('proj/data/orders.csv.pkms')).toEqual(['team']);
  });

  it('refuses a file no rule matches, saying what to do', async () => {
    const result = await inProj(['encrypt', 'README']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`creation rule in ${join(dir, 'proj/.polykms.yaml')}`);
  });

  it('config show prints the policy file, the rule, its keys and context', async () => {
    const text = (await inProj(['config', 'show', 'prod.env'], 'proj/config')).stdout.toString();
    expect(text).toContain(`policy   ${join(dir, 'proj/.polykms.yaml')}`);
    expect(text).toContain('path     config/prod.env');
    expect(text).toContain('creation_rules[0] (path_regex \\.env$)');
    expect(text).toContain(`keys     local://${join(dir, 'proj/env.key')}`);
    expect(text).toContain('context  kind=env team=core');
    const report = JSON.parse((await inProj(['config', 'show', 'data/x', '--json'])).stdout.toString());
    expect(report.rule).toMatchObject({ index: 1, pathGlob: 'data/**' });
    const none = JSON.parse((await inProj(['config', 'show', 'README', '--json'])).stdout.toString());
    expect(none).toMatchObject({ policy: join(dir, 'proj/.polykms.yaml'), rule: null });
  });

  it('encrypts under the keyset a rule names, with its unlock key, file and tree alike', async () => {
    await mkdir(join(dir, 'ksproj/data'), { recursive: true });
    await cp(join(dir, 'app.key'), join(dir, 'ksproj/unlock.key'));
    const created = await inProj(
      ['keyset', 'create', 'data.keyset', '--key', 'local://unlock.key'],
      'ksproj',
    );
    expect(created.code, created.stderr).toBe(0);
    await writeFile(
      join(dir, 'ksproj/.polykms.yaml'),
      'creation_rules:\n  - keyset: data.keyset\n    unlock: local://unlock.key\n    context: { kind: ks }\n',
    );
    await writeFile(join(dir, 'ksproj/data/a.txt'), 'under a keyset');
    const tree = await inProj(['encrypt', '-r', 'data', '--json'], 'ksproj/data/..');
    expect(tree.code, tree.stderr).toBe(0);
    expect(JSON.parse(tree.stdout.toString())).toMatchObject({ encrypted: 1 });
    const opened = await inProj(
      [
        'decrypt',
        'data/a.txt.pkms',
        '--keyset',
        'data.keyset',
        '--unlock',
        'local://unlock.key',
        '-e',
        'kind=ks',
        '-o',
        '-',
      ],
      'ksproj',
    );
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout.toString()).toBe('under a keyset');
    const shown = (await inProj(['config', 'show', 'data/a.txt'], 'ksproj')).stdout.toString();
    expect(shown).toContain(`keyset   ${join(dir, 'ksproj/data.keyset')}`);
  });

  it('names the file and the field of a bad rule', async () => {
    await mkdir(join(dir, 'badproj'), { recursive: true });
    await writeFile(
      join(dir, 'badproj/.polykms.yaml'),
      'creation_rules:\n  - keys: [gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k]\n',
    );
    await writeFile(join(dir, 'badproj/f'), 'x');
    const result = await inProj(['encrypt', 'f'], 'badproj');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'badproj/.polykms.yaml')}: creation_rules[0].keys[0]:`);
    expect(result.stderr).toContain(
      'did you mean gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k ?',
    );
  });
});

describe('small things users hit', () => {
  it('inspect with no file at a terminal refuses instead of waiting', async () => {
    // `script` gives the command a terminal as stdin.
    const result = spawnSync('script', ['-qec', `"${process.execPath}" "${CLI_BIN}" inspect`, '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20_000,
      input: '',
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('inspect reads a message from stdin, which is a terminal');
  });

  it('inspect --json lists the wrapped data keys once, as recipients', async () => {
    await writeFile(join(dir, 'one.txt'), 'one');
    expect((await cli(['encrypt', 'one.txt', '--key', 'local://app.key', '-f'])).code).toBe(0);
    const info = JSON.parse((await cli(['inspect', 'one.txt.pkms', '--json'])).stdout.toString());
    expect(info.encryptedDataKeys).toBeUndefined();
    expect(info.recipients).toEqual([
      expect.objectContaining({
        providerId: 'polykms-local',
        ciphertextLength: 48,
        rawKey: { name: 'app', kind: 'aes' },
      }),
    ]);
  });

  it('decrypt --max-frames refuses a message of tiny frames with exit 6, before writing anything', async () => {
    await writeFile(join(dir, 'tiny.txt'), 'x'.repeat(500));
    expect(
      (await cli(['encrypt', 'tiny.txt', '--key', 'local://app.key', '--frame-length', '1', '-f'])).code,
    ).toBe(0);
    const refused = await cli([
      'decrypt',
      'tiny.txt.pkms',
      '--key',
      'local://app.key',
      '--max-frames',
      '100',
      '-o',
      'tiny.out',
    ]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('ERR_LIMIT_EXCEEDED');
    expect(await filesIn(dir)).not.toContain('tiny.out');
    const allowed = await cli([
      'decrypt',
      'tiny.txt.pkms',
      '--key',
      'local://app.key',
      '--max-frames',
      '501',
      '-o',
      '-',
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout.toString()).toBe('x'.repeat(500));
  });

  it('a key file that fails validation is not echoed', async () => {
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    await writeFile(
      join(dir, 'bad.key'),
      JSON.stringify({ version: 1, type: 'aes', namespace: 'n', name: 'k', key: secret, [secret]: secret }),
    );
    await chmod(join(dir, 'bad.key'), 0o600);
    const result = await cli(['encrypt', 'tree/a.txt', '--key', 'local://bad.key', '-o', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.key');
    expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toContain('secret-key-material');
  });

  it.each([
    ['a full disk', '> /dev/full', 'no space left on the device'],
    ['a file-size limit', '> big.out', 'ulimit -f'],
  ])('%s on stdout ends in exit 8 and a sentence, not a stack trace', async (_name, redirect, sentence) => {
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 7));
    expect((await cli(['encrypt', 'big.bin', '--key', 'local://app.key', '-f'])).code).toBe(0);
    const result = spawnSync(
      'sh',
      [
        '-c',
        `ulimit -f 64; exec "${process.execPath}" "${CLI_BIN}" decrypt big.bin.pkms --key local://app.key -o - ${redirect}`,
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, POLYKMS_DEBUG: '' } },
    );
    expect(result.status).toBe(8);
    expect(result.stderr).toContain(sentence);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
