import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import {
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, ensureCliBuilt, filesIn, runCli, workDir } from './cli-harness.js';

// The CLI's answers to a security review, on local keys: recipients that must not vanish, files
// that must not keep an old copy or lose their attributes, outputs that must not be replaced, and
// untrusted text that must not reach a terminal raw.
let dir: string;
let cleanup: () => Promise<void>;
const cli = (args: string[], input?: Uint8Array | string) => runCli(args, { cwd: dir, input });
const opens = async (file: string, key: string) =>
  (await cli(['decrypt', file, '-k', key, '-o', '-'])).stdout.toString() === 'a record';
const encrypt = async (output: string, ...keys: string[]) => {
  const result = await cli(['encrypt', 'source.txt', ...keys.flatMap((k) => ['-k', k]), '-o', output]);
  expect(result.code, result.stderr).toBe(0);
};
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  await writeFile(join(dir, 'source.txt'), 'a record');
  for (const key of ['old.key', 'new.key', 'third.key'])
    expect((await cli(['keys', 'generate', key])).code).toBe(0);
  // Two key files with the same name, as a user naming keys by hand (or by an older version) gets.
  await mkdir(join(dir, 'k2024'));
  await mkdir(join(dir, 'k2025'));
  for (const year of ['k2024', 'k2025'])
    expect((await cli(['keys', 'generate', `${year}/app.key`, '--name', 'app'])).code).toBe(0);
}, 120_000);

afterAll(() => cleanup?.());

describe('local keys with the same name', () => {
  it('keys generate gives key files with the same file name different key names by default', async () => {
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    for (const sub of ['a', 'b']) expect((await cli(['keys', 'generate', `${sub}/x.key`])).code).toBe(0);
    const nameOf = async (path: string) => JSON.parse(await readFile(join(dir, path), 'utf8')).name;
    const [a, b] = [await nameOf('a/x.key'), await nameOf('b/x.key')];
    expect(a).toMatch(/^x-[0-9a-f]{8}$/);
    expect(b).toMatch(/^x-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });

  it('keys generate refuses the namespaces of the cloud providers', async () => {
    for (const ns of ['aws-kms', 'gcp-kms', 'azure-kv']) {
      const result = await cli(['keys', 'generate', `${ns}.key`, '--namespace', ns]);
      expect(result.code, ns).toBe(2);
      expect(result.stderr).toContain('reserved');
    }
    expect(await filesIn(dir)).not.toContain('gcp-kms.key');
  });

  it('rewrap refuses to add a key named like a recipient it would drop, leaving the file as it was', async () => {
    await encrypt('same-name.pkms', 'local://k2024/app.key', 'local://third.key');
    const before = await readFile(join(dir, 'same-name.pkms'));
    const result = await cli([
      'rewrap',
      'same-name.pkms',
      '--key',
      'local://third.key',
      '--add-key',
      'local://k2025/app.key',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('polykms-local/app');
    expect(result.stderr).toContain('--name');
    expect(await readFile(join(dir, 'same-name.pkms'))).toEqual(before);
    expect(await opens('same-name.pkms', 'local://k2024/app.key')).toBe(true);
  });

  it('rewrap replaces a recipient of the same name when it is removed explicitly', async () => {
    await encrypt('replace.pkms', 'local://k2024/app.key', 'local://third.key');
    const result = await cli([
      'rewrap',
      'replace.pkms',
      '--key',
      'local://third.key',
      '--remove-key',
      'local://k2024/app.key',
      '--add-key',
      'local://k2025/app.key',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await opens('replace.pkms', 'local://k2025/app.key')).toBe(true);
    expect(await opens('replace.pkms', 'local://k2024/app.key')).toBe(false);
  });

  it('migrate refuses at start a --from and a --to key that a header cannot tell apart', async () => {
    await mkdir(join(dir, 'same-tree'));
    await encrypt('same-tree/m.pkms', 'local://k2024/app.key');
    const before = await readFile(join(dir, 'same-tree/m.pkms'));
    const result = await cli([
      'migrate',
      'same-tree',
      '--from',
      'local://k2024/app.key',
      '--to',
      'local://k2025/app.key',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot tell them apart');
    expect(await readFile(join(dir, 'same-tree/m.pkms'))).toEqual(before);
  });

  it('migrate fails a file whose other recipient has the name of a --to key, and keeps that recipient', async () => {
    await mkdir(join(dir, 'third-tree'));
    await encrypt('third-tree/m.pkms', 'local://old.key', 'local://k2024/app.key');
    const before = await readFile(join(dir, 'third-tree/m.pkms'));
    const result = await cli([
      'migrate',
      'third-tree',
      '--from',
      'local://old.key',
      '--to',
      'local://k2025/app.key',
      '--json',
    ]);
    expect(result.code).toBe(9);
    const summary = JSON.parse(result.stdout.toString());
    expect(summary.failed).toEqual([
      expect.objectContaining({ file: 'm.pkms', code: 'ERR_REFUSED', error: expect.stringContaining('app') }),
    ]);
    expect(await readFile(join(dir, 'third-tree/m.pkms'))).toEqual(before);
  });
});

describe('rewrap needs the keys it removes and opens with to be named', () => {
  it('refuses to rewrap without --key or --discovery', async () => {
    await encrypt('nokey.pkms', 'local://old.key');
    const result = await cli(['rewrap', 'nokey.pkms', '--add-key', 'local://new.key']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--key');
    expect(result.stderr).toContain('--discovery');
  });

  it('refuses an AWS alias in --remove-key and in migrate --from: it names no key in particular', async () => {
    await encrypt('alias.pkms', 'local://old.key', 'local://third.key');
    const before = await readFile(join(dir, 'alias.pkms'));
    const alias = 'aws-kms://arn:aws:kms:us-east-1:111122223333:alias/app';
    const rewrap = await cli(['rewrap', 'alias.pkms', '--key', 'local://old.key', '--remove-key', alias]);
    expect(rewrap.code).toBe(2);
    expect(rewrap.stderr).toContain('alias');
    expect(await readFile(join(dir, 'alias.pkms'))).toEqual(before);
    await mkdir(join(dir, 'alias-tree'));
    const migrate = await cli(['migrate', 'alias-tree', '--from', alias, '--to', 'local://new.key']);
    expect(migrate.code).toBe(2);
    expect(migrate.stderr).toContain('alias');
  });

  it('fails when --remove-key is not a recipient of the message, writing nothing', async () => {
    const before = await readFile(join(dir, 'alias.pkms'));
    const result = await cli([
      'rewrap',
      'alias.pkms',
      '--key',
      'local://old.key',
      '--remove-key',
      'local://new.key',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not a recipient');
    expect(await readFile(join(dir, 'alias.pkms'))).toEqual(before);
  });
});

describe('in-place rewrap and migrate', () => {
  const rewrapInPlace = (file: string) =>
    cli(['rewrap', file, '--key', 'local://old.key', '--add-key', 'local://new.key']);

  it('rewraps the target of a symbolic link and leaves the link', async () => {
    await encrypt('target.pkms', 'local://old.key');
    await symlink('target.pkms', join(dir, 'link.pkms'));
    const result = await rewrapInPlace('link.pkms');
    expect(result.code, result.stderr).toBe(0);
    expect((await lstat(join(dir, 'link.pkms'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'link.pkms'))).toBe('target.pkms');
    expect(await opens('target.pkms', 'local://new.key')).toBe(true);
  });

  it('refuses a file with another hard link, which would keep the old header (exit 8)', async () => {
    await encrypt('hard.pkms', 'local://old.key');
    await link(join(dir, 'hard.pkms'), join(dir, 'hard-copy.pkms'));
    const before = await readFile(join(dir, 'hard.pkms'));
    const result = await rewrapInPlace('hard.pkms');
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('hard links');
    expect(await readFile(join(dir, 'hard.pkms'))).toEqual(before);
    expect((await stat(join(dir, 'hard.pkms'))).ino).toBe((await stat(join(dir, 'hard-copy.pkms'))).ino);
  });

  it('keeps the mode of the file it replaces (and its owner, as root)', async () => {
    await encrypt('shared.pkms', 'local://old.key');
    const path = join(dir, 'shared.pkms');
    await chmod(path, 0o640);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chown(path, 4321, 4322);
    expect((await rewrapInPlace('shared.pkms')).code).toBe(0);
    const after = await stat(path);
    expect(after.mode & 0o777).toBe(0o640);
    if (asRoot) expect([after.uid, after.gid]).toEqual([4321, 4322]);
    expect(await opens('shared.pkms', 'local://new.key')).toBe(true);
  });

  it('migrate keeps the mode of the files it rewraps', async () => {
    await mkdir(join(dir, 'mode-tree'));
    await encrypt('mode-tree/m.pkms', 'local://old.key');
    await chmod(join(dir, 'mode-tree/m.pkms'), 0o644);
    const result = await cli([
      'migrate',
      'mode-tree',
      '--from',
      'local://old.key',
      '--to',
      'local://new.key',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect((await stat(join(dir, 'mode-tree/m.pkms'))).mode & 0o777).toBe(0o644);
    expect(await opens('mode-tree/m.pkms', 'local://new.key')).toBe(true);
  });
});

describe('outputs that are not regular files', () => {
  it('refuses --force onto a FIFO instead of replacing it with a file of plaintext (exit 8)', async () => {
    await encrypt('fifo-src.pkms', 'local://old.key');
    expect(spawnSync('mkfifo', [join(dir, 'out.fifo')]).status).toBe(0);
    const result = await cli([
      'decrypt',
      'fifo-src.pkms',
      '-k',
      'local://old.key',
      '-o',
      'out.fifo',
      '--force',
    ]);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('-o -');
    expect((await lstat(join(dir, 'out.fifo'))).isFIFO()).toBe(true);
  });
});

describe('encrypt', () => {
  it('gives a usage error for bad arguments into a file, as into stdout, and leaves no temporary file', async () => {
    for (const bad of [
      ['--suite', '0x9999'],
      ['-c', 'aws-crypto-public-key=x'],
    ]) {
      const toStdout = await cli(['encrypt', 'source.txt', '-k', 'local://old.key', ...bad, '-o', '-']);
      const toFile = await cli(['encrypt', 'source.txt', '-k', 'local://old.key', ...bad, '-o', 'bad.pkms']);
      expect(toFile.code, `${bad}: ${toFile.stderr}`).toBe(toStdout.code);
      expect(toFile.code).toBe(2);
      expect(toFile.stderr).not.toContain('Unhandled');
      expect((await filesIn(dir)).filter((f) => f.includes('bad.pkms'))).toEqual([]);
    }
  });

  it('encrypts from a FIFO, whose size is unknown', async () => {
    const fifo = join(dir, 'in.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const running = cli(['encrypt', 'in.fifo', '-k', 'local://old.key', '-o', 'piped.pkms']);
    const writer = createWriteStream(fifo); // opens once the CLI opens the FIFO to read
    writer.end('a record');
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(await opens('piped.pkms', 'local://old.key')).toBe(true);
  });
});

describe('inspect', () => {
  it('reads stdin only as far as the header: it answers while the stream is still open', async () => {
    await encrypt('peek.pkms', 'local://old.key');
    const child = spawn(process.execPath, [CLI_BIN, 'inspect', '-'], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stdin.on('error', () => {}); // the CLI stops reading once it has the header
    child.stdin.write(await readFile(join(dir, 'peek.pkms'))); // and never ends the stream
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('recipients   1');
  });

  it('shows control characters in context and key names escaped, so they cannot forge lines', async () => {
    expect((await cli(['keys', 'generate', 'evil.key', '--name', 'k\u001b[2J\nrecipients   0'])).code).toBe(
      0,
    );
    const result = await cli([
      'encrypt',
      'source.txt',
      '-k',
      'local://evil.key',
      '-c',
      'tenant=acme\nnote         the header is authenticated\u001b]0;x\u0007',
      '-o',
      'evil.pkms',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const text = (await cli(['inspect', 'evil.pkms'])).stdout.toString();
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('tenant=acme\\nnote');
    expect(text).toContain('\\x1b[2J\\nrecipients   0');
    expect(text.split('\n').filter((line) => line.startsWith('recipients'))).toEqual(['recipients   1']);
    // JSON keeps the values exact.
    const json = JSON.parse((await cli(['inspect', 'evil.pkms', '--json'])).stdout.toString());
    expect(json.encryptionContext.tenant).toBe(
      'acme\nnote         the header is authenticated\u001b]0;x\u0007',
    );
  });

  it('migrate -v shows file names with control characters escaped', async () => {
    await mkdir(join(dir, 'name-tree'));
    await encrypt('name-tree/a\nmigrated         b.pkms', 'local://old.key');
    const result = await cli([
      'migrate',
      'name-tree',
      '--from',
      'local://old.key',
      '--to',
      'local://new.key',
      '-v',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('a\\nmigrated         b.pkms');
    expect(result.stderr.split('\n').filter((line) => line.startsWith('migrated'))).toHaveLength(1);
  });
});
