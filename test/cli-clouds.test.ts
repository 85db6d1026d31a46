import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createAwsKey, createAzureKey, createGcpKey } from 'polykms/emulator-clouds';
import { beforeAll, describe, expect, it } from 'vitest';
import { filesIn, runCli, spawnCli } from './cli-harness.js';
import { cliAgainstEmulatedClouds } from './cli-emulated-clouds.js';

// The built CLI against the clouds.emulator over loopback, configured only by the environment variables
// the clouds.emulator exports: the way a CI job or a developer shell uses it.
let aws: string;
let gcp: string;
let azure: string;
const plaintext = Buffer.from(Array.from({ length: 30000 }, (_, i) => `row ${i}`).join('\n'));
const cli = (args: string[], input?: Uint8Array) => clouds.cli(args, input);
const bodyOf = async (file: string) => {
  const info = JSON.parse((await cli(['inspect', file, '--json'])).stdout.toString()) as {
    headerLength: number;
  };
  return (await readFile(join(clouds.dir, file))).subarray(info.headerLength);
};
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const clouds = cliAgainstEmulatedClouds({
  resetAfterEach: true,
  prepare: async () => {
    aws = await createAwsKey(clouds.emulator.aws, 'cli test');
    gcp = await createGcpKey(clouds.emulator.gcp, 'cli-test', 'data');
    azure = await createAzureKey(clouds.emulator.azure, 'cli-test');
    await writeFile(join(clouds.dir, 'data.txt'), plaintext);
    const enc = await cli([
      'encrypt',
      'data.txt',
      '--key',
      aws,
      '--key',
      gcp,
      '-c',
      'app=test',
      '-o',
      'two.pkms',
    ]);
    expect(enc.code, enc.stderr).toBe(0);
  },
});

describe('encrypt for two clouds, decrypt with each', () => {
  it('lists both cloud keys as recipients in inspect', async () => {
    const out = (await cli(['inspect', 'two.pkms'])).stdout.toString();
    expect(out).toContain(aws);
    expect(out).toContain(gcp);
  });

  it.each([
    ['AWS', () => aws],
    ['Google Cloud', () => gcp],
  ])('decrypts with %s alone', async (_name, key) => {
    const result = await cli(['decrypt', 'two.pkms', '--key', key(), '-e', 'app=test', '-o', '-']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toEqual(plaintext);
  });

  it('decrypts through discovery filters naming the account or the project', async () => {
    const account = /:(\d{12}):/.exec(aws)?.[1];
    const project = /projects\/([^/]+)/.exec(gcp)?.[1];
    for (const filter of [`aws-kms://aws/${account}`, `gcp-kms://projects/${project}`]) {
      const result = await cli(['decrypt', 'two.pkms', '--discovery', filter, '-o', '-']);
      expect(result.code, `${filter}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toEqual(plaintext);
    }
    const other = await cli(['decrypt', 'two.pkms', '--discovery', 'aws-kms://aws/999999999999', '-o', '-']);
    expect(other.code).toBe(4);
  });
});

describe('outages and refusals', () => {
  it('exit 7 when the only allowed cloud is down, and success through the other one', async () => {
    clouds.emulator.control.injectFault({ cloud: 'aws', kind: 'unavailable' });
    const down = await cli(['decrypt', 'two.pkms', '--key', aws, '-o', 'down.txt']);
    expect(down.code).toBe(7);
    expect(down.stderr).toContain('ERR_UNAVAILABLE');
    const failover = await cli(['decrypt', 'two.pkms', '--key', aws, '--key', gcp, '-o', '-']);
    expect(failover.code, failover.stderr).toBe(0);
    expect(failover.stdout).toEqual(plaintext);
    expect(await filesIn(clouds.dir)).not.toContain('down.txt');
  });

  it('exit 4 when the KMS denies the decrypt permission', async () => {
    clouds.emulator.control.deny({ cloud: 'gcp', operation: 'Decrypt' });
    const result = await cli(['decrypt', 'two.pkms', '--key', gcp, '-o', '-']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('ERR_ACCESS_DENIED');
  });

  it('exit 7 with ERR_TIMEOUT when a KMS answers later than POLYKMS_KMS_TIMEOUT_MS', async () => {
    clouds.emulator.control.injectFault({ cloud: 'gcp', kind: 'latency', latencyMs: 10_000 });
    const before = await filesIn(clouds.dir);
    const result = await runCli(['encrypt', 'data.txt', '--key', gcp, '-o', 'late.pkms'], {
      cwd: clouds.dir,
      env: { ...clouds.emulator.env, POLYKMS_KMS_TIMEOUT_MS: '1000' },
    });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('ERR_TIMEOUT');
    expect(await filesIn(clouds.dir)).toEqual(before);
  });

  it('exit 7 and no output file when a recipient cannot wrap during encrypt', async () => {
    // The GCP keyring retries a bounded number of times, then reports the outage as retryable.
    clouds.emulator.control.injectFault({ cloud: 'gcp', kind: 'unavailable' });
    const before = await filesIn(clouds.dir);
    const result = await runCli(['encrypt', 'data.txt', '--key', aws, '--key', gcp, '-o', 'partial.pkms'], {
      cwd: clouds.dir,
      env: { ...clouds.emulator.env, POLYKMS_KMS_TIMEOUT_MS: '1500' },
    });
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toContain('ERR_RECIPIENTS_UNAVAILABLE');
    expect(result.stderr).toContain('ERR_UNAVAILABLE');
    expect(await filesIn(clouds.dir)).toEqual(before);
  });

  it('exit 2 for an AWS alias on decrypt: a message names the key, never the alias', async () => {
    const result = await cli([
      'decrypt',
      'two.pkms',
      '--key',
      'aws-kms://arn:aws:kms:us-east-1:111122223333:alias/app',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('never the alias');
  });
});

describe('polykms rewrap', () => {
  it('moves a message from AWS to Azure by re-encrypting it, wrapping for Google Cloud again from its EDK', async () => {
    await writeFile(join(clouds.dir, 'move.pkms'), await readFile(join(clouds.dir, 'two.pkms')));
    const bodyBefore = sha(await bodyOf('move.pkms'));
    const idOf = async (file: string) =>
      JSON.parse((await cli(['inspect', file, '--json'])).stdout.toString()).messageId as string;
    const idBefore = await idOf('move.pkms');
    clouds.emulator.control.resetCounters();
    const result = await cli(['rewrap', 'move.pkms', '--key', gcp, '--add-key', azure, '--remove-key', aws]);
    expect(result.code, result.stderr).toBe(0);
    // Google Cloud opened the message, wrapped the new data key (it is kept), and opened the new
    // message to verify it; Azure wrapped; AWS, removed, was never called.
    expect(clouds.emulator.control.calls({ cloud: 'gcp', operation: 'Decrypt' }).total).toBe(2);
    expect(clouds.emulator.control.calls({ cloud: 'gcp', operation: 'Encrypt' }).total).toBe(1);
    expect(clouds.emulator.control.calls({ cloud: 'aws' }).total).toBe(0);
    expect(sha(await bodyOf('move.pkms'))).not.toBe(bodyBefore);
    expect(await idOf('move.pkms')).not.toBe(idBefore);
    const info = JSON.parse((await cli(['inspect', 'move.pkms', '--json'])).stdout.toString());
    expect(info.recipients.map((r: { providerId: string }) => r.providerId)).toEqual(['gcp-kms', 'azure-kv']);
    expect(info.encryptionContext).toEqual({ app: 'test' });
    for (const key of [azure, gcp]) {
      const opened = await cli(['decrypt', 'move.pkms', '--key', key, '-o', '-']);
      expect(opened.code, opened.stderr).toBe(0);
      expect(opened.stdout).toEqual(plaintext);
    }
    expect((await cli(['decrypt', 'move.pkms', '--key', aws, '-o', '-'])).code).toBe(4);
  });

  it('an --add-key that is already a recipient changes nothing, says so, and calls no KMS', async () => {
    await writeFile(join(clouds.dir, 'same.pkms'), await readFile(join(clouds.dir, 'two.pkms')));
    const before = await readFile(join(clouds.dir, 'same.pkms'));
    clouds.emulator.control.resetCounters();
    const result = await cli(['rewrap', 'same.pkms', '--key', gcp, '--add-key', aws]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('already a recipient');
    expect(result.stderr).toContain('nothing to change');
    expect(await readFile(join(clouds.dir, 'same.pkms'))).toEqual(before);
    expect(clouds.emulator.control.calls({}).total).toBe(0);
  });

  it('leaves the original untouched when the new message does not verify (Azure wraps but cannot unwrap)', async () => {
    await writeFile(join(clouds.dir, 'unverified.pkms'), await readFile(join(clouds.dir, 'two.pkms')));
    const before = await readFile(join(clouds.dir, 'unverified.pkms'));
    clouds.emulator.control.deny({ cloud: 'azure', operation: 'unwrapKey' });
    const result = await cli(['rewrap', 'unverified.pkms', '--key', gcp, '--to', azure]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('did not verify');
    expect(await readFile(join(clouds.dir, 'unverified.pkms'))).toEqual(before);
    expect((await filesIn(clouds.dir)).filter((f) => f.endsWith('.polykms-tmp'))).toEqual([]);
    expect(clouds.emulator.control.calls({ cloud: 'azure', operation: 'wrapKey' }).total).toBe(1);
  });

  it('--to replaces every recipient, opening the data key with --key', async () => {
    const result = await cli(['rewrap', 'two.pkms', '--key', gcp, '--to', azure, '-o', 'azure-only.pkms']);
    expect(result.code, result.stderr).toBe(0);
    const info = JSON.parse((await cli(['inspect', 'azure-only.pkms', '--json'])).stdout.toString());
    expect(info.recipients.map((r: { providerId: string }) => r.providerId)).toEqual(['azure-kv']);
  });

  it('never opens with the keys the header names: without --key or --discovery it calls no KMS (exit 2)', async () => {
    await writeFile(join(clouds.dir, 'unnamed.pkms'), await readFile(join(clouds.dir, 'two.pkms')));
    const before = await readFile(join(clouds.dir, 'unnamed.pkms'));
    clouds.emulator.control.resetCounters();
    const result = await cli(['rewrap', 'unnamed.pkms', '--add-key', azure, '--remove-key', aws]);
    expect(result.code).toBe(2);
    expect(clouds.emulator.control.calls().total).toBe(0);
    expect(result.stderr).toContain('--discovery');
    expect(await readFile(join(clouds.dir, 'unnamed.pkms'))).toEqual(before);
  });

  it('leaves the file untouched when the data key cannot be opened', async () => {
    await writeFile(join(clouds.dir, 'stuck.pkms'), await readFile(join(clouds.dir, 'two.pkms')));
    const before = await readFile(join(clouds.dir, 'stuck.pkms'));
    clouds.emulator.control.injectFault({ cloud: 'aws', kind: 'unavailable' });
    clouds.emulator.control.injectFault({ cloud: 'gcp', kind: 'unavailable' });
    const result = await runCli(['rewrap', 'stuck.pkms', '--key', aws, '--key', gcp, '--add-key', azure], {
      cwd: clouds.dir,
      env: { ...clouds.emulator.env, POLYKMS_KMS_TIMEOUT_MS: '1500' },
    });
    expect(result.code).toBe(7);
    expect(await readFile(join(clouds.dir, 'stuck.pkms'))).toEqual(before);
    expect((await filesIn(clouds.dir)).filter((f) => f.endsWith('.polykms-tmp'))).toEqual([]);
  });
});

describe('polykms migrate', () => {
  const corpus = join('corpus');
  const count = 6;

  beforeAll(async () => {
    await mkdir(join(clouds.dir, corpus, 'nested'), { recursive: true });
    for (let i = 0; i < count; i++) {
      const sub = i % 2 ? 'nested/' : '';
      await writeFile(join(clouds.dir, corpus, `${sub}r${i}.txt`), `record ${i}`);
      const enc = await cli([
        'encrypt',
        join(corpus, `${sub}r${i}.txt`),
        '--key',
        aws,
        '-o',
        join(corpus, `${sub}r${i}.pkms`),
      ]);
      expect(enc.code, enc.stderr).toBe(0);
    }
  }, 120_000);

  it('survives being interrupted, and a second run finishes the rest and skips what was done', async () => {
    // Every Azure wrap takes a while, so the run can be interrupted in the middle.
    clouds.emulator.control.injectFault({ cloud: 'azure', kind: 'latency', latencyMs: 300 });
    const child = spawnCli(
      ['migrate', corpus, '--from', aws, '--to', azure, '--concurrency', '1', '--verbose'],
      { cwd: clouds.dir, env: clouds.emulator.env },
    );
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/^migrated /m.test(stderr)) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    const firstRun = (stderr.match(/^migrated /gm) ?? []).length;
    expect(firstRun).toBeGreaterThan(0);
    expect(firstRun).toBeLessThan(count);
    expect((await filesIn(join(clouds.dir, corpus))).filter((f) => f.includes('.polykms-tmp'))).toEqual([]);

    clouds.emulator.control.clearFaults();
    const resumed = await cli(['migrate', corpus, '--from', aws, '--to', azure, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout.toString());
    expect(summary).toMatchObject({ migrated: count - firstRun, alreadyMigrated: firstRun, failed: [] });
    // Files that are not messages (the .txt originals) are counted as skipped.
    expect(summary.notApplicable).toBe(count);
    // Every file now has Azure and no AWS recipient (a dry run finds nothing left to do), and a
    // file from each run decrypts with Azure.
    const check = JSON.parse(
      (await cli(['migrate', corpus, '--from', aws, '--to', azure, '--dry-run', '--json'])).stdout.toString(),
    );
    expect(check).toMatchObject({ migrated: 0, alreadyMigrated: count });
    for (const i of [0, count - 1]) {
      const file = join(corpus, `${i % 2 ? 'nested/' : ''}r${i}.pkms`);
      const result = await cli(['decrypt', file, '--key', azure, '-o', '-']);
      expect(result.stdout.toString(), file).toBe(`record ${i}`);
    }
  });
});
