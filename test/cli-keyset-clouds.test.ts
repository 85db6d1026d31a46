import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createAwsKey, createAzureKey, createGcpKey } from 'polykms/emulator-clouds';
import { describe, expect, it } from 'vitest';
import { cliAgainstEmulatedClouds } from './cli-emulated-clouds.js';

// A keyset across clouds, end to end: the built CLI against the clouds.emulator over loopback, through
// the official SDK clients. Files are written once under the keyset; moving the keyset from AWS to
// Azure never touches them; an old copy of the keyset works until its AWS key is disabled.
let aws: string;
let gcp: string;
let azure: string;
const files = ['a.csv', 'b.csv', 'c.csv'];
const contentOf = (name: string) =>
  Buffer.from(Array.from({ length: 2000 }, (_, i) => `${name},${i}`).join('\n'));
const cli = (args: string[]) => clouds.cli(args);
/** Decrypts FILE to stdout with the keyset KEYSET opened by UNLOCK. */
const decryptWith = (file: string, keyset: string, unlock: string) =>
  cli(['decrypt', file, '--keyset', keyset, '--unlock', unlock, '-o', '-']);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const kmsCalls = () => clouds.emulator.control.calls({}).total;

const clouds = cliAgainstEmulatedClouds({
  prepare: async () => {
    aws = await createAwsKey(clouds.emulator.aws, 'keyset test');
    gcp = await createGcpKey(clouds.emulator.gcp, 'keyset-test', 'data');
    azure = await createAzureKey(clouds.emulator.azure, 'keyset-test');
    for (const name of files) await writeFile(join(clouds.dir, name), contentOf(name));
  },
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
    const hashes = await Promise.all(
      files.map(async (f) => sha(await readFile(join(clouds.dir, `${f}.pkms`)))),
    );
    await copyFile(join(clouds.dir, 'data.keyset'), join(clouds.dir, 'old.keyset'));

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
    expect(
      await Promise.all(files.map(async (f) => sha(await readFile(join(clouds.dir, `${f}.pkms`))))),
    ).toEqual(hashes);

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
      endpoint: clouds.emulator.aws.endpoint,
      region: clouds.emulator.aws.region,
      credentials: clouds.emulator.aws.credentials,
    });
    await kms.send(new DisableKeyCommand({ KeyId: aws.slice('aws-kms://'.length) }));
    kms.destroy();
    const afterDisable = await decryptWith('a.csv.pkms', 'old.keyset', aws);
    expect(afterDisable.code).toBe(4);
    expect(afterDisable.stderr).toContain('ERR_KEY_DISABLED');
    expect(afterDisable.stdout.length).toBe(0);
  }, 120_000);
});
