import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { cliAgainstEmulatedClouds } from './cli-emulated-clouds.js';

// Multi-Region keys through the CLI, configured only by the emulator's environment: a message
// written with the us-east-1 primary opens with a URI naming the eu-west-1 replica, which calls
// KMS in eu-west-1 only.
let primary: string;
let replica: string;
let singleRegionWest: string;
const plaintext = Buffer.from('orders of the multi-Region tenant\n'.repeat(200));
const cli = (args: string[]) => clouds.cli(args);

const clouds = cliAgainstEmulatedClouds({
  prepare: async () => {
    const { endpoint, credentials } = clouds.emulator.aws;
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
    await writeFile(join(clouds.dir, 'orders.txt'), plaintext);
  },
});

describe('multi-Region key URIs in the CLI', () => {
  it('decrypts with the replica in another region, calling KMS only there', async () => {
    expect(replica).toContain(':eu-west-1:');
    expect(replica.split('/').at(-1)).toBe(primary.split('/').at(-1));
    const encrypted = await cli(['encrypt', 'orders.txt', '--key', primary, '-o', 'orders.pkms']);
    expect(encrypted.code, encrypted.stderr).toBe(0);
    clouds.emulator.control.resetCounters();
    const opened = await cli(['decrypt', 'orders.pkms', '--key', replica, '-o', '-']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toEqual(plaintext);
    const decrypts = clouds.emulator.control.calls({ cloud: 'aws', operation: 'Decrypt' });
    expect(decrypts.total).toBe(1);
    expect(JSON.stringify(decrypts)).toContain('eu-west-1');
    expect(JSON.stringify(decrypts)).not.toContain('us-east-1');
  });

  it('a single-Region key of another region is no match, and costs no KMS call', async () => {
    clouds.emulator.control.resetCounters();
    const refused = await cli(['decrypt', 'orders.pkms', '--key', singleRegionWest, '-o', '-']);
    expect(refused.code).toBe(4);
    expect(refused.stdout.length).toBe(0);
    expect(clouds.emulator.control.calls({ cloud: 'aws' }).total).toBe(0);
  });
});
