import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { type RunningEmulator, startEmulator } from '@polykms/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

// Multi-Region keys through the CLI, configured only by the emulator's environment: a message
// written with the us-east-1 primary opens with a URI naming the eu-west-1 replica, which calls
// KMS in eu-west-1 only.
let emulator: RunningEmulator;
let dir: string;
let cleanup: () => Promise<void>;
let primary: string;
let replica: string;
let singleRegionWest: string;
const plaintext = Buffer.from('orders of the multi-Region tenant\n'.repeat(200));
const cli = (args: string[]) => runCli(args, { cwd: dir, env: emulator.env });

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  emulator = await startEmulator({ adminPort: false });
  const { endpoint, credentials } = emulator.aws;
  const east = new KMSClient({ endpoint, credentials, region: 'us-east-1' });
  const west = new KMSClient({ endpoint, credentials, region: 'eu-west-1' });
  try {
    const { KeyMetadata: key } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
    const { ReplicaKeyMetadata: copy } = await east.send(
      new ReplicateKeyCommand({ KeyId: key?.Arn, ReplicaRegion: 'eu-west-1' }),
    );
    const { KeyMetadata: plain } = await west.send(new CreateKeyCommand({}));
    primary = `aws-kms://${key?.Arn}`;
    replica = `aws-kms://${copy?.Arn}`;
    singleRegionWest = `aws-kms://${plain?.Arn}`;
  } finally {
    east.destroy();
    west.destroy();
  }
  await writeFile(join(dir, 'orders.txt'), plaintext);
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  await cleanup?.();
});

describe('multi-Region key URIs in the CLI', () => {
  it('decrypts with the replica in another region, calling KMS only there', async () => {
    expect(replica).toContain(':eu-west-1:');
    expect(replica.split('/').at(-1)).toBe(primary.split('/').at(-1));
    const encrypted = await cli(['encrypt', 'orders.txt', '--key', primary, '-o', 'orders.pkms']);
    expect(encrypted.code, encrypted.stderr).toBe(0);
    emulator.control.resetCounters();
    const opened = await cli(['decrypt', 'orders.pkms', '--key', replica, '-o', '-']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toEqual(plaintext);
    const decrypts = emulator.control.calls({ cloud: 'aws', operation: 'Decrypt' });
    expect(decrypts.total).toBe(1);
    expect(JSON.stringify(decrypts)).toContain('eu-west-1');
    expect(JSON.stringify(decrypts)).not.toContain('us-east-1');
  });

  it('a single-Region key of another region is no match, and costs no KMS call', async () => {
    emulator.control.resetCounters();
    const refused = await cli(['decrypt', 'orders.pkms', '--key', singleRegionWest, '-o', '-']);
    expect(refused.code).toBe(4);
    expect(refused.stdout.length).toBe(0);
    expect(emulator.control.calls({ cloud: 'aws' }).total).toBe(0);
  });
});
