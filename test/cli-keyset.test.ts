import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiKeyring, encrypt } from '@polykms/envelope';
import { keyringFromUri, parseKeyUri } from '@polykms/key-uri';
import { KeysetKeyring, openKeyset, readKeysetFile } from '@polykms/keyset';
import { ensureCliBuilt, filesIn, runCli, workDir } from './cli-harness.js';

// `polykms keyset …` and `--keyset FILE --unlock URI` end to end, on local key files.
let dir: string;
let cleanup: () => Promise<void>;
const plaintext = Buffer.from(Array.from({ length: 5000 }, (_, i) => `record ${i}`).join('\n'));
const cli = (args: string[]) => runCli(args, { cwd: dir });
/** `polykms encrypt|decrypt FILE --keyset KEYSET --unlock UNLOCK -o OUTPUT`. */
const withKeyset = (
  command: 'encrypt' | 'decrypt',
  file: string,
  keyset: string,
  unlock: string,
  output: string,
) => cli([command, file, '--keyset', keyset, '--unlock', unlock, '-o', output]);
const inspect = async (file: string) =>
  JSON.parse((await cli(['keyset', 'inspect', file, '--json'])).stdout.toString()) as {
    keysetId: string;
    generation: number;
    versions: { version: number; state: string }[];
    recipients: { rawKey?: { name: string } }[];
    authenticated: boolean;
  };

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  await writeFile(join(dir, 'data.txt'), plaintext);
  for (const name of ['a', 'b', 'c']) {
    expect((await cli(['keys', 'generate', `${name}.key`, '--name', name])).code).toBe(0);
  }
  const created = await cli([
    'keyset',
    'create',
    'data.keyset',
    '--key',
    'local://a.key',
    '--key',
    'local://b.key',
  ]);
  expect(created.code, created.stderr).toBe(0);
}, 120_000);

afterAll(() => cleanup?.());

describe('polykms keyset with local keys', () => {
  it('inspects a keyset without a key, saying it is not authenticated', async () => {
    const info = await inspect('data.keyset');
    expect(info.keysetId).toMatch(/^[0-9a-f]{32}$/);
    expect(info.generation).toBe(1);
    expect(info.versions).toEqual([{ version: 1, state: 'primary' }]);
    expect(info.recipients.map((r) => r.rawKey?.name)).toEqual(['a', 'b']);
    expect(info.authenticated).toBe(false);
    const text = (await cli(['keyset', 'inspect', 'data.keyset'])).stdout.toString();
    expect(text).toContain('NOT authenticated');
    expect(text).toContain('--keyset-id'); // names the flags that make the claims safe to rely on
    expect(text).toContain('--min-generation');
  });

  it('encrypts under the keyset, rotates, rewraps to another key, and every file still decrypts', async () => {
    const enc = await withKeyset('encrypt', 'data.txt', 'data.keyset', 'local://a.key', 'v1.pkms');
    expect(enc.code, enc.stderr).toBe(0);
    // A rewrite wraps a new data key for every recipient: each local one's key file must be named.
    const unnamed = await cli(['keyset', 'rotate', 'data.keyset', '--unlock', 'local://b.key']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('cannot be found from its name alone');
    const rotated = await cli([
      'keyset',
      'rotate',
      'data.keyset',
      '--unlock',
      'local://b.key',
      '--unlock',
      'local://a.key',
    ]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const enc2 = await withKeyset('encrypt', 'data.txt', 'data.keyset', 'local://a.key', 'v2.pkms');
    expect(enc2.code, enc2.stderr).toBe(0);
    const v1Before = await readFile(join(dir, 'v1.pkms'));

    const rewrap = await cli([
      'keyset',
      'rewrap',
      'data.keyset',
      '--unlock',
      'local://a.key',
      '--add-key',
      'local://c.key',
      '--remove-key',
      'local://a.key',
      '--remove-key',
      'local://b.key',
    ]);
    expect(rewrap.code, rewrap.stderr).toBe(0);
    const info = await inspect('data.keyset');
    expect(info.generation).toBe(3);
    expect(info.versions).toEqual([
      { version: 1, state: 'active' },
      { version: 2, state: 'primary' },
    ]);
    expect(info.recipients.map((r) => r.rawKey?.name)).toEqual(['c']);

    for (const file of ['v1.pkms', 'v2.pkms']) {
      const dec = await withKeyset('decrypt', file, 'data.keyset', 'local://c.key', '-');
      expect(dec.code, dec.stderr).toBe(0);
      expect(dec.stdout).toEqual(plaintext);
    }
    expect(await readFile(join(dir, 'v1.pkms'))).toEqual(v1Before); // the data was never touched
    const dropped = await withKeyset('decrypt', 'v1.pkms', 'data.keyset', 'local://a.key', '-');
    expect(dropped.code).toBe(4);
    expect(dropped.stdout.length).toBe(0);
  });

  it('finishes a rotation: migrate moves files under old versions to the primary, then retire', async () => {
    const sub = join(dir, 'rotation');
    await mkdir(join(sub, 'data'), { recursive: true });
    const here = (args: string[]) => runCli(args, { cwd: sub });
    const unlock = ['--unlock', 'local://../a.key'];
    expect((await here(['keyset', 'create', 'r.keyset', '--key', 'local://../a.key'])).code).toBe(0);
    const encryptAs = async (name: string) => {
      await writeFile(join(sub, 'data', `${name}.txt`), `${name}\n`);
      const result = await here([
        'encrypt',
        `data/${name}.txt`,
        '--keyset',
        'r.keyset',
        ...unlock,
        '-o',
        `data/${name}.pkms`,
      ]);
      expect(result.code, result.stderr).toBe(0);
    };
    await encryptAs('v1-a');
    await encryptAs('v1-b');
    expect((await here(['keyset', 'rotate', 'r.keyset', ...unlock])).code).toBe(0);
    await encryptAs('v2');
    const v2Before = await readFile(join(sub, 'data', 'v2.pkms'));
    // The primary is version 2: nothing can be below a version the keyset does not have yet.
    const above = await here(['migrate', 'data', '--keyset', 'r.keyset', ...unlock, '--below-version', '3']);
    expect(above.code).toBe(2);
    expect(above.stderr).toContain('primary is version 2');

    const dry = await here(['migrate', 'data', '--keyset', 'r.keyset', ...unlock, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout.toString())).toMatchObject({
      migrated: 2,
      alreadyMigrated: 1,
      notApplicable: 3,
    });
    const run = await here(['migrate', 'data', '--keyset', 'r.keyset', ...unlock, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toMatchObject({ migrated: 2, alreadyMigrated: 1 });
    expect(await readFile(join(sub, 'data', 'v2.pkms'))).toEqual(v2Before); // already under the primary
    const again = await here(['migrate', 'data', '--keyset', 'r.keyset', ...unlock, '--json']);
    expect(JSON.parse(again.stdout.toString())).toMatchObject({ migrated: 0, alreadyMigrated: 3 });

    // The primary cannot be retired; version 1 can, and every file still decrypts.
    expect((await here(['keyset', 'retire', 'r.keyset', '2', ...unlock])).code).toBe(2);
    const retired = await here(['keyset', 'retire', 'r.keyset', '1', ...unlock]);
    expect(retired.code, retired.stderr).toBe(0);
    expect(retired.stderr).toContain('retired version 1 of keyset');
    const info = JSON.parse((await here(['keyset', 'inspect', 'r.keyset', '--json'])).stdout.toString());
    expect(info.versions).toEqual([
      { version: 1, state: 'retired' },
      { version: 2, state: 'primary' },
    ]);
    for (const name of ['v1-a', 'v1-b', 'v2']) {
      const dec = await here(['decrypt', `data/${name}.pkms`, '--keyset', 'r.keyset', ...unlock, '-o', '-']);
      expect(dec.code, dec.stderr).toBe(0);
      expect(dec.stdout.toString()).toBe(`${name}\n`);
    }
  });

  it('fails, rather than skips or strips, a file with recipients besides the keyset', async () => {
    const sub = join(dir, 'mixed');
    await mkdir(sub, { recursive: true });
    const here = (args: string[]) => runCli(args, { cwd: sub });
    expect((await here(['keyset', 'create', 'm.keyset', '--key', 'local://../a.key'])).code).toBe(0);
    // Under the keyset's version 1 and a key file too: a library user's multi-keyring can write it.
    const keyset = await openKeyset(await readKeysetFile(join(sub, 'm.keyset')), {
      keyring: await keyringFromUri(parseKeyUri(`local://${join(dir, 'a.key')}`)),
    });
    const keyring = new MultiKeyring({
      generator: new KeysetKeyring(keyset),
      children: [await keyringFromUri(parseKeyUri(`local://${join(dir, 'b.key')}`))],
    });
    const mixed = (await encrypt(Buffer.from('mixed'), { keyring })).message;
    keyset.close();
    await writeFile(join(sub, 'mixed.pkms'), mixed);
    expect((await here(['keyset', 'rotate', 'm.keyset', '--unlock', 'local://../a.key'])).code).toBe(0);

    const run = await here([
      'migrate',
      '.',
      '--keyset',
      'm.keyset',
      '--unlock',
      'local://../a.key',
      '--json',
    ]);
    expect(run.code).toBe(9);
    const summary = JSON.parse(run.stdout.toString());
    expect(summary).toMatchObject({ migrated: 0, failed: [{ file: 'mixed.pkms' }] });
    expect(summary.failed[0].error).toContain('recipients besides keyset');
    expect(await readFile(join(sub, 'mixed.pkms'))).toEqual(mixed);
  });

  it('refuses a tampered keyset file (exit 3) and leaves no output', async () => {
    await copyFile(join(dir, 'data.keyset'), join(dir, 'tampered.keyset'));
    const bytes = await readFile(join(dir, 'tampered.keyset'));
    bytes[bytes.length - 30] = (bytes[bytes.length - 30] as number) ^ 0x04;
    await writeFile(join(dir, 'tampered.keyset'), bytes);
    const before = await filesIn(dir);
    const dec = await withKeyset('decrypt', 'v1.pkms', 'tampered.keyset', 'local://c.key', 'out.txt');
    expect(dec.code).toBe(3);
    expect(await filesIn(dir)).toEqual(before);
  });

  it('refuses a keyset with another id or an older generation than pinned (exit 5)', async () => {
    const { keysetId, generation } = await inspect('data.keyset');
    const pinned = (id: string, min: number) =>
      cli([
        'decrypt',
        'v1.pkms',
        '--keyset',
        'data.keyset',
        '--unlock',
        'local://c.key',
        '--keyset-id',
        id,
        '--min-generation',
        String(min),
        '-o',
        '-',
      ]);
    expect((await pinned(keysetId, generation)).code).toBe(0); // control
    const otherId = await pinned('0'.repeat(32), generation);
    expect(otherId.code).toBe(5);
    expect(otherId.stderr).toContain('ERR_KEYSET_MISMATCH');
    const stale = await pinned(keysetId, generation + 1);
    expect(stale.code).toBe(5);
    expect(stale.stderr).toContain('ERR_STALE_KEYSET');
    expect(stale.stdout.length).toBe(0);
    // The same pins guard a rewrite: a stale copy is not rotated.
    const staleRotate = await cli([
      'keyset',
      'rotate',
      'data.keyset',
      '--unlock',
      'local://c.key',
      '--min-generation',
      String(generation + 1),
    ]);
    expect(staleRotate.code).toBe(5);
  });

  it('refuses to create a keyset over an existing file, and flags that mix --keyset and --key', async () => {
    const before = await readFile(join(dir, 'data.keyset'));
    const again = await cli(['keyset', 'create', 'data.keyset', '--key', 'local://a.key']);
    expect(again.code).toBe(8);
    expect(again.stderr).toContain('never overwritten');
    expect(again.stderr).not.toContain('--force'); // `keyset create` has no --force to offer
    expect(await readFile(join(dir, 'data.keyset'))).toEqual(before);
    const mixed = await cli([
      'encrypt',
      'data.txt',
      '--keyset',
      'data.keyset',
      '--unlock',
      'local://c.key',
      '--key',
      'local://a.key',
      '-o',
      'x.pkms',
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--keyset replaces --key');
    const noUnlock = await cli(['decrypt', 'v1.pkms', '--keyset', 'data.keyset', '-o', '-']);
    expect(noUnlock.code).toBe(2);
  });

  it('refuses a --remove-key that is not a recipient (exit 2) instead of writing a generation that keeps them all', async () => {
    expect((await cli(['keys', 'generate', 'stranger.key', '--name', 'stranger'])).code).toBe(0);
    const before = await readFile(join(dir, 'data.keyset'));
    const result = await cli([
      'keyset',
      'rewrap',
      'data.keyset',
      '--unlock',
      'local://c.key',
      '--remove-key',
      'local://stranger.key',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a recipient of this keyset');
    expect(await readFile(join(dir, 'data.keyset'))).toEqual(before);
  });

  it('refuses to rewrap a keyset file as a message, header-only included, and migrate passes it over unchanged', async () => {
    expect((await cli(['keys', 'generate', 'newcomer.key', '--name', 'newcomer'])).code).toBe(0);
    const before = await readFile(join(dir, 'data.keyset'));
    for (const headerOnly of [[], ['--header-only']]) {
      const rewrapped = await cli([
        'rewrap',
        'data.keyset',
        '--key',
        'local://c.key',
        '--add-key',
        'local://newcomer.key',
        ...headerOnly,
      ]);
      expect(rewrapped.code, rewrapped.stderr).toBe(2);
      expect(rewrapped.stderr).toContain('polykms keyset rewrap');
    }
    await mkdir(join(dir, 'keysets'));
    await copyFile(join(dir, 'data.keyset'), join(dir, 'keysets', 'data.keyset'));
    const migrated = await cli([
      'migrate',
      'keysets',
      '--from',
      'local://c.key',
      '--to',
      'local://newcomer.key',
    ]);
    // A keyset found under DIR is not a message to migrate: it moves with `keyset rewrap`.
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stderr).toMatch(/1 not applicable/);
    expect(await readFile(join(dir, 'keysets', 'data.keyset'))).toEqual(before);
    expect(await readFile(join(dir, 'data.keyset'))).toEqual(before);
  });

  it('refuses to decrypt a keyset file as data (exit 5): its version keys never reach a file or stdout', async () => {
    const before = await filesIn(dir);
    for (const output of ['keys.bin', '-']) {
      const opened = await cli(['decrypt', 'data.keyset', '--key', 'local://c.key', '-o', output]);
      expect(opened.code, opened.stderr).toBe(5);
      expect(opened.stderr).toContain('polykms keyset');
      expect(opened.stdout.length).toBe(0);
    }
    expect(await filesIn(dir)).toEqual(before);
  });

  it('refuses to rewrap while another writer holds the lock (exit 8), and changes nothing', async () => {
    const before = await readFile(join(dir, 'data.keyset'));
    await writeFile(join(dir, 'data.keyset.lock'), '1\n');
    const result = await cli(['keyset', 'rotate', 'data.keyset', '--unlock', 'local://c.key']);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('ERR_KEYSET_LOCKED');
    expect(await readFile(join(dir, 'data.keyset'))).toEqual(before);
  });
});
