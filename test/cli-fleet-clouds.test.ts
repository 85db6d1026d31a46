import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAwsKey, createAzureKey } from 'polykms/emulator-clouds';
import { describe, expect, it } from 'vitest';
import { spawnCli } from './cli-harness.js';
import { cliAgainstEmulatedClouds } from './cli-emulated-clouds.js';

// Failures at scale, through the official SDK clients against the clouds.emulator: a key refused stops
// the run unless --keep-going, failures are grouped by cause and key, Ctrl-C prints what was done.
let aws: string;
let azure: string;
const COUNT = 12;
const cli = (args: string[]) => clouds.cli(args);
const migrateJson = async (args: string[]) => {
  const result = await cli(['migrate', 'corpus', '--from', aws, '--to', azure, '--json', ...args]);
  return { code: result.code, stderr: result.stderr, ...JSON.parse(result.stdout.toString() || '{}') };
};

const clouds = cliAgainstEmulatedClouds({
  resetAfterEach: true,
  prepare: async () => {
    aws = await createAwsKey(clouds.emulator.aws, 'fleet test');
    azure = await createAzureKey(clouds.emulator.azure, 'fleet-test');
    await mkdir(join(clouds.dir, 'corpus'), { recursive: true });
    for (let i = 0; i < COUNT; i++) await writeFile(join(clouds.dir, 'corpus', `r${i}.txt`), `record ${i}`);
    const enc = await cli(['encrypt', '-r', 'corpus', '--key', aws, '--json']);
    expect(enc.code, enc.stderr).toBe(0);
  },
});

describe('migrate when the KMS refuses the source key', () => {
  it('stops at the first access denied, with the recipient’s code in the JSON record, and exits 9', async () => {
    clouds.emulator.control.deny({ cloud: 'aws', operation: 'Decrypt' });
    const s = await migrateJson(['--concurrency', '1']);
    expect(s.code, s.stderr).toBe(9);
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0].recipients).toEqual([expect.objectContaining({ code: 'ERR_ACCESS_DENIED' })]);
    expect(s.stopped.kind).toBe('unfixable');
    // Sorted, r0.txt (not a message) comes before r0.txt.pkms, which stopped the run.
    expect(s).toMatchObject({ notApplicable: 1, notAttempted: COUNT * 2 - 2 });
    expect(s.migrated).toBe(0);
  });

  it('tries every file with --keep-going and groups the failures into one line per cause and key', async () => {
    clouds.emulator.control.deny({ cloud: 'aws', operation: 'Decrypt' });
    const result = await cli(['migrate', 'corpus', '--from', aws, '--to', azure, '--keep-going']);
    expect(result.code).toBe(9);
    const keyArn = aws.slice('aws-kms://'.length);
    expect(result.stderr).toContain(
      `${COUNT} × ERR_NO_DECRYPTABLE_KEY (ERR_ACCESS_DENIED) on key aws-kms ${keyArn}`,
    );
  });

  it('stops after --max-failures failures of a kind that does not stop the run by itself', async () => {
    clouds.emulator.control.deny({ cloud: 'aws', operation: 'Decrypt' });
    const s = await migrateJson(['--keep-going', '--max-failures', '3', '--concurrency', '1']);
    expect(s.code).toBe(9);
    expect(s.failed).toHaveLength(3);
    expect(s.stopped).toEqual({ kind: 'max-failures', maxFailures: 3 });
  });
});

describe('Ctrl-C during a run', () => {
  it('prints a partial summary and exits 130; a second run finishes the rest', async () => {
    clouds.emulator.control.injectFault({ cloud: 'azure', kind: 'latency', latencyMs: 300 });
    const child = spawnCli(['migrate', 'corpus', '--from', aws, '--to', azure, '--concurrency', '1', '-v'], {
      cwd: clouds.dir,
      env: clouds.emulator.env,
    });
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
    expect(stderr).toMatch(/\d+ files: \d+ migrated/);
    expect(stderr).toMatch(/interrupted: \d+ files not started/);
    clouds.emulator.control.clearFaults();
    const rest = await migrateJson([]);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.migrated + rest.alreadyMigrated).toBe(COUNT);
  });
});
