import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHeader } from '@polykms/envelope';
import { KEYSET_PROVIDER_ID, inspectKeyset } from '@polykms/keyset';
import { createAwsKey, createGcpKey } from 'polykms/emulator-clouds';
import { describe, expect, it } from 'vitest';
import { cliAgainstEmulatedClouds } from './cli-emulated-clouds.js';

// `migrate --keyset`: standalone messages for AWS + Google Cloud moved under a keyset, end to end
// through the built CLI and the official SDKs against the clouds.emulator over loopback.
let aws: string;
let gcp: string;
const COUNT = 6;
const files = Array.from({ length: COUNT }, (_, i) => join('tree', i % 2 ? 'sub' : '', `m${i}.pkms`));
const originalIds = new Map<string, string>();
const cli = (args: string[]) => clouds.cli(args);
const kmsCalls = () => clouds.emulator.control.calls({}).total;
const messageIdOf = async (file: string) =>
  Buffer.from(parseHeader(await readFile(join(clouds.dir, file))).messageId).toString('hex');
const UNDER_KEYSET = ['--keyset', 'data.keyset', '--unlock', 'GCP'];

async function migrate(args: string[]) {
  const argv = ['migrate', 'tree', '--json', ...args].map((a) => (a === 'GCP' ? gcp : a));
  const result = await cli(argv);
  return { code: result.code, stderr: result.stderr, ...JSON.parse(result.stdout.toString() || '{}') };
}

const clouds = cliAgainstEmulatedClouds({
  prepare: async () => {
    aws = await createAwsKey(clouds.emulator.aws, 'migrate keyset test');
    gcp = await createGcpKey(clouds.emulator.gcp, 'migrate-keyset-test', 'data');
    await mkdir(join(clouds.dir, 'tree', 'sub'), { recursive: true });
    await writeFile(join(clouds.dir, 'record.json'), '{"id":1}');
    for (const file of files) {
      const enc = await cli(['encrypt', 'record.json', '--key', aws, '--key', gcp, '-o', file]);
      expect(enc.code, enc.stderr).toBe(0);
      originalIds.set(file, await messageIdOf(file));
    }
    const created = await cli(['keyset', 'create', 'data.keyset', '--key', aws, '--key', gcp]);
    expect(created.code, created.stderr).toBe(0);
    // A copy of the keyset inside the tree: a keyset is moved by `keyset rewrap`, never by migrate.
    await copyFile(join(clouds.dir, 'data.keyset'), join(clouds.dir, 'tree', 'copy.keyset'));
  },
});

describe('polykms migrate --keyset', () => {
  it('--dry-run counts the files to move, writes nothing and calls no KMS', async () => {
    const before = kmsCalls();
    const s = await migrate(['--from', aws, ...UNDER_KEYSET, '--dry-run']);
    expect(s).toMatchObject({ code: 0, dryRun: true, files: COUNT + 1, migrated: COUNT, notApplicable: 1 });
    expect(kmsCalls() - before).toBe(0);
    for (const file of files) expect(await messageIdOf(file)).toBe(originalIds.get(file));
  }, 60_000);

  it('refuses --to and --header-only together with --keyset, before touching anything', async () => {
    const withTo = await migrate(['--from', aws, '--to', gcp, ...UNDER_KEYSET]);
    expect(withTo.code).toBe(2);
    expect(withTo.stderr).toContain('--keyset replaces --to');
    const headerOnly = await migrate(['--from', aws, ...UNDER_KEYSET, '--header-only']);
    expect(headerOnly.code).toBe(2);
    expect(headerOnly.stderr).toContain('--keyset always re-encrypts');
    for (const file of files) expect(await messageIdOf(file)).toBe(originalIds.get(file));
  }, 60_000);

  it('re-encrypts each file in its shard with the keyset as its only recipient, under a new message id', async () => {
    const keysetId = inspectKeyset(await readFile(join(clouds.dir, 'data.keyset'))).keysetId;
    const first = await migrate(['--from', aws, ...UNDER_KEYSET, '--shard', '0/2']);
    const second = await migrate(['--from', aws, ...UNDER_KEYSET, '--shard', '1/2']);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(first.failed).toEqual([]);
    expect(first.migrated + second.migrated).toBe(COUNT);
    expect(first.files + second.files).toBe(COUNT + 1);

    for (const file of files) {
      const header = parseHeader(await readFile(join(clouds.dir, file)));
      expect(header.encryptedDataKeys.map((edk) => edk.providerId)).toEqual([KEYSET_PROVIDER_ID]);
      expect(
        Buffer.from(header.encryptedDataKeys[0]?.providerInfo ?? [])
          .subarray(0, 16)
          .toString('hex'),
      ).toBe(keysetId);
      expect(await messageIdOf(file)).not.toBe(originalIds.get(file));
      const viaKeyset = await cli(['decrypt', file, '--keyset', 'data.keyset', '--unlock', aws, '-o', '-']);
      expect(viaKeyset.code, viaKeyset.stderr).toBe(0);
      expect(viaKeyset.stdout.toString()).toBe('{"id":1}');
    }
    // The keyset copy in the tree was skipped, and still opens as a keyset.
    const copy = await cli(['keyset', 'inspect', join('tree', 'copy.keyset'), '--json']);
    expect(JSON.parse(copy.stdout.toString()).generation).toBe(1);
    const viaAws = await cli(['decrypt', files[0] ?? '', '--key', aws, '-o', '-']);
    expect(viaAws.code).toBe(4);
    expect(viaAws.stdout.length).toBe(0);
  }, 120_000);

  it('converges: a second run finds every file already under the keyset and rewrites none', async () => {
    const before = await Promise.all(files.map((f) => readFile(join(clouds.dir, f))));
    const calls = kmsCalls();
    const again = await migrate(['--from', aws, ...UNDER_KEYSET]);
    expect(again).toMatchObject({ code: 0, migrated: 0, alreadyMigrated: COUNT, notApplicable: 1 });
    expect(kmsCalls() - calls).toBe(1); // opening the keyset; no file is opened
    expect(await Promise.all(files.map((f) => readFile(join(clouds.dir, f))))).toEqual(before);
  }, 60_000);
});
