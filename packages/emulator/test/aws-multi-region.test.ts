import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  type KMSClient,
  CancelKeyDeletionCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KmsTarget, motoOnPath, startEmulatorTarget, startMotoTarget } from './aws-targets.js';

const targets = [
  { name: 'emulator', start: startEmulatorTarget, skip: undefined },
  { name: 'moto', start: startMotoTarget, skip: motoOnPath ? undefined : 'moto_server is not on PATH' },
] as const;

describe.each(targets)('AWS multi-Region keys against $name', ({ name, start, skip }) => {
  let target: KmsTarget;
  let east: KMSClient;
  let west: KMSClient;

  beforeAll(async () => {
    if (skip) return;
    target = await start();
    east = target.client({ region: 'us-east-1' });
    west = target.client({ region: 'us-west-2' });
  });
  afterAll(async () => {
    east?.destroy();
    west?.destroy();
    await target?.stop();
  });

  /** A new multi-Region primary in us-east-1 and its replica in us-west-2. */
  async function primaryWithReplica() {
    const { KeyMetadata: primary } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
    const { ReplicaKeyMetadata: replica } = await east.send(
      new ReplicateKeyCommand({ KeyId: primary?.KeyId, ReplicaRegion: 'us-west-2' }),
    );
    return { primary, replica };
  }

  /** Encrypts `text` under `keyId` in us-east-1 and decrypts the blob in us-west-2. */
  async function roundTripEastToWest(keyId: string | undefined, text: string): Promise<string> {
    const { CiphertextBlob } = await east.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }),
    );
    const opened = await west.send(new DecryptCommand({ CiphertextBlob }));
    return Buffer.from(opened.Plaintext as Uint8Array).toString();
  }

  it.skipIf(skip)('CreateKey MultiRegion=true makes an mrk- primary key', async () => {
    const { KeyMetadata } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
    // AWS: mrk- and 32 hex digits; moto puts a dashed UUID after mrk-.
    expect(KeyMetadata?.KeyId).toMatch(name === 'moto' ? /^mrk-/ : /^mrk-[0-9a-f]{32}$/);
    expect(KeyMetadata?.MultiRegion).toBe(true);
    expect(KeyMetadata?.MultiRegionConfiguration).toMatchObject({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: KeyMetadata?.Arn, Region: 'us-east-1' },
    });
  });

  // moto answers the cross-region decrypt of a replica with an HTML 500 page: emulator only.
  it.skipIf(skip || name === 'moto')(
    'a replica shares the key id and key material: what one encrypts the other decrypts',
    async () => {
      const { KeyMetadata: primary } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
      const { ReplicaKeyMetadata: replica } = await east.send(
        new ReplicateKeyCommand({ KeyId: primary?.Arn, ReplicaRegion: 'us-west-2' }),
      );
      expect(replica?.KeyId).toBe(primary?.KeyId);
      expect(replica?.Arn).toBe(primary?.Arn?.replace('us-east-1', 'us-west-2'));

      const { CiphertextBlob } = await east.send(
        new EncryptCommand({ KeyId: primary?.Arn, Plaintext: Buffer.from('across regions') }),
      );
      const opened = await west.send(new DecryptCommand({ CiphertextBlob, KeyId: replica?.Arn }));
      expect(Buffer.from(opened.Plaintext as Uint8Array).toString()).toBe('across regions');
      expect(opened.KeyId).toBe(replica?.Arn);

      const { KeyMetadata: described } = await west.send(new DescribeKeyCommand({ KeyId: replica?.KeyId }));
      expect(described?.MultiRegionConfiguration).toMatchObject({
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: primary?.Arn, Region: 'us-east-1' },
      });
      const { KeyMetadata: again } = await east.send(new DescribeKeyCommand({ KeyId: primary?.Arn }));
      expect(again?.MultiRegionConfiguration?.ReplicaKeys).toEqual([
        { Arn: replica?.Arn, Region: 'us-west-2' },
      ]);
    },
  );

  it.skipIf(skip || name === 'moto')('a rotation of the primary reaches its replicas', async () => {
    const { primary } = await primaryWithReplica();
    await east.send(new RotateKeyOnDemandCommand({ KeyId: primary?.KeyId }));
    expect(await roundTripEastToWest(primary?.KeyId, 'after rotation')).toBe('after rotation');
  });

  it.skipIf(skip || name === 'moto')(
    'refuses to replicate a single-Region key or into its own region',
    async () => {
      const { KeyMetadata: single } = await east.send(new CreateKeyCommand({}));
      await expect(
        east.send(new ReplicateKeyCommand({ KeyId: single?.KeyId, ReplicaRegion: 'us-west-2' })),
      ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
      const { KeyMetadata: multi } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
      await expect(
        east.send(new ReplicateKeyCommand({ KeyId: multi?.KeyId, ReplicaRegion: 'us-east-1' })),
      ).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    },
  );

  it.skipIf(skip || name === 'moto')(
    'UpdatePrimaryRegion makes the replica the primary and the old primary a replica',
    async () => {
      const { primary, replica } = await primaryWithReplica();
      await east.send(new UpdatePrimaryRegionCommand({ KeyId: primary?.Arn, PrimaryRegion: 'us-west-2' }));
      const { KeyMetadata: nowPrimary } = await west.send(new DescribeKeyCommand({ KeyId: replica?.Arn }));
      expect(nowPrimary?.MultiRegionConfiguration).toMatchObject({
        MultiRegionKeyType: 'PRIMARY',
        PrimaryKey: { Arn: replica?.Arn, Region: 'us-west-2' },
        ReplicaKeys: [{ Arn: primary?.Arn, Region: 'us-east-1' }],
      });
      const { KeyMetadata: nowReplica } = await east.send(new DescribeKeyCommand({ KeyId: primary?.Arn }));
      expect(nowReplica?.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');
      // Only the primary replicates or moves the primary; the key material is unchanged.
      await expect(
        east.send(new ReplicateKeyCommand({ KeyId: primary?.KeyId, ReplicaRegion: 'eu-west-1' })),
      ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
      await expect(
        east.send(new UpdatePrimaryRegionCommand({ KeyId: primary?.KeyId, PrimaryRegion: 'us-west-2' })),
      ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
      expect(await roundTripEastToWest(primary?.KeyId, 'after the move')).toBe('after the move');
    },
  );

  it.skipIf(skip || name === 'moto')(
    'a primary with replicas scheduled for deletion waits for them (PendingReplicaDeletion)',
    async () => {
      const { primary, replica } = await primaryWithReplica();
      const scheduled = await east.send(
        new ScheduleKeyDeletionCommand({ KeyId: primary?.KeyId, PendingWindowInDays: 7 }),
      );
      // Its waiting period starts once the last replica is deleted: no deletion date yet.
      expect(scheduled).toMatchObject({ KeyState: 'PendingReplicaDeletion', PendingWindowInDays: 7 });
      expect(scheduled.DeletionDate).toBeUndefined();
      const { KeyMetadata: described } = await east.send(new DescribeKeyCommand({ KeyId: primary?.KeyId }));
      expect(described?.KeyState).toBe('PendingReplicaDeletion');
      await expect(
        east.send(new EncryptCommand({ KeyId: primary?.KeyId, Plaintext: Buffer.from('x') })),
      ).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
      await expect(
        east.send(new ReplicateKeyCommand({ KeyId: primary?.KeyId, ReplicaRegion: 'eu-west-1' })),
      ).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
      // The replica is its own key and still works.
      await west.send(new EncryptCommand({ KeyId: replica?.Arn, Plaintext: Buffer.from('x') }));
      await east.send(new CancelKeyDeletionCommand({ KeyId: primary?.KeyId }));
      const { KeyMetadata: cancelled } = await east.send(new DescribeKeyCommand({ KeyId: primary?.KeyId }));
      expect(cancelled?.KeyState).toBe('Disabled');
      // A primary without replicas goes straight to PendingDeletion, with a date.
      const { KeyMetadata: alone } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
      const direct = await east.send(
        new ScheduleKeyDeletionCommand({ KeyId: alone?.KeyId, PendingWindowInDays: 7 }),
      );
      expect(direct.KeyState).toBe('PendingDeletion');
      expect(direct.DeletionDate).toBeInstanceOf(Date);
    },
  );

  it.skipIf(skip || name === 'moto')(
    'UpdatePrimaryRegion refuses a region without a replica and a single-Region key',
    async () => {
      const { KeyMetadata: primary } = await east.send(new CreateKeyCommand({ MultiRegion: true }));
      await expect(
        east.send(new UpdatePrimaryRegionCommand({ KeyId: primary?.KeyId, PrimaryRegion: 'eu-west-1' })),
      ).rejects.toMatchObject({ name: 'NotFoundException' });
      const { KeyMetadata: single } = await east.send(new CreateKeyCommand({}));
      await expect(
        east.send(new UpdatePrimaryRegionCommand({ KeyId: single?.KeyId, PrimaryRegion: 'us-west-2' })),
      ).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
    },
  );
});
