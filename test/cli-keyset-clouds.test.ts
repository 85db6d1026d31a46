import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { type RunningEmulator, startEmulator } from '@polykms/emulator';
import { createAwsKey, createAzureKey, createGcpKey } from 'polykms/emulator-clouds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

// A keyset across clouds, end to end: the built CLI against the emulator over loopback, through
// the official SDK clients. Files are written once under the keyset; moving the keyset from AWS to
// Azure never touches them; an old copy of the keyset works until its AWS key is disabled.
let emulator: RunningEmulator;
let dir: string;
let cleanup: () => Promise<void>;
let aws: string;
let gcp: string;
let azure: string;
const files = ['a.csv', 'b.csv', 'c.csv'];
const contentOf = (name: string) =>
  Buffer.from(Array.from({ length: 2000 }, (_, i) => `${name},${i}`).join('\n'));
const cli = (args: string[]) => runCli(args, { cwd: dir, env: emulator.env });
/** Decrypts FILE to stdout with the keyset KEYSET opened by UNLOCK. */
const decryptWith = (file: string, keyset: string, unlock: string) =>
  cli(['decrypt', file, '--keyset', keyset, '--unlock', unlock, '-o', '-']);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const kmsCalls = () => emulator.control.calls({}).total;

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  emulator = await startEmulator({ adminPort: false });
  aws = await createAwsKey(emulator.aws, 'keyset test');
  gcp = await createGcpKey(emulator.gcp, 'keyset-test', 'data');
  azure = await createAzureKey(emulator.azure, 'keyset-test');
  for (const name of files) await writeFile(join(dir, name), contentOf(name));
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  await cleanup?.();
});

describe('a keyset for AWS + Google Cloud, moved to Azure', () => {
  it('encrypts with one KMS call per process, rewraps to Azure without touching data, and an old copy dies with its AWS key', async () => {
    const created = await cli(['keyset', 'create', 'data.keyset', '--key', aws, '--key', gcp]);
    expect(created.code, created.stderr).toBe(0);
    const listed = (await cli(['keyset', 'inspect', 'data.keyset'])).stdout.toString();
    expect(listed).toContain(aws);
    expect(listed).toContain(gcp);

    for (const name of files) {
      const before = kmsCalls();
      const enc = await cli([
        'encrypt',
        name,
        '--keyset',
        'data.keyset',
        '--unlock',
        aws,
        '-c',
        `file=${name}`,
      ]);
      expect(enc.code, enc.stderr).toBe(0);
      expect(kmsCalls() - before).toBe(1); // opening the keyset; the data key is wrapped locally
    }
    const hashes = await Promise.all(files.map(async (f) => sha(await readFile(join(dir, `${f}.pkms`)))));
    await copyFile(join(dir, 'data.keyset'), join(dir, 'old.keyset'));

    const rewrap = await cli([
      'keyset',
      'rewrap',
      'data.keyset',
      '--unlock',
      gcp,
      '--add-key',
      azure,
      '--remove-key',
      aws,
    ]);
    expect(rewrap.code, rewrap.stderr).toBe(0);
    const info = JSON.parse(
      (await cli(['keyset', 'inspect', 'data.keyset', '--json'])).stdout.toString(),
    ) as {
      generation: number;
      recipients: { keyUri?: string }[];
    };
    expect(info.generation).toBe(2);
    const uris = info.recipients.map((r) => r.keyUri ?? '');
    expect(uris.some((u) => u.startsWith(azure))).toBe(true);
    expect(uris).toContain(gcp);
    expect(uris).not.toContain(aws);
    // Zero data bytes touched.
    expect(await Promise.all(files.map(async (f) => sha(await readFile(join(dir, `${f}.pkms`)))))).toEqual(
      hashes,
    );

    for (const name of files) {
      const dec = await decryptWith(`${name}.pkms`, 'data.keyset', azure);
      expect(dec.code, dec.stderr).toBe(0);
      expect(dec.stdout).toEqual(contentOf(name));
    }
    const viaAws = await decryptWith('a.csv.pkms', 'data.keyset', aws);
    expect(viaAws.code).toBe(4);

    // The old copy still opens with AWS: a rewrap does not reach copies (docs/threat-model.md) ...
    const oldCopy = await decryptWith('a.csv.pkms', 'old.keyset', aws);
    expect(oldCopy.code, oldCopy.stderr).toBe(0);
    // ... until the AWS key is disabled.
    const kms = new KMSClient({
      endpoint: emulator.aws.endpoint,
      region: emulator.aws.region,
      credentials: emulator.aws.credentials,
    });
    await kms.send(new DisableKeyCommand({ KeyId: aws.slice('aws-kms://'.length) }));
    kms.destroy();
    const afterDisable = await decryptWith('a.csv.pkms', 'old.keyset', aws);
    expect(afterDisable.code).toBe(4);
    expect(afterDisable.stderr).toContain('ERR_KEY_DISABLED');
    expect(afterDisable.stdout.length).toBe(0);
  }, 120_000);
});
