import { randomBytes } from 'node:crypto';
import {
  AwsKmsMrkAwareSymmetricDiscoveryKeyringNode,
  AwsKmsMrkAwareSymmetricKeyringNode,
  CommitmentPolicy,
  buildClient,
} from '@aws-crypto/client-node';
import { CreateKeyCommand, KMS, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { AwsKmsKeyring, AwsKmsMrkDiscoveryKeyring, AwsKmsMrkKeyring } from '@polykms/aws-kms';
import { EmulatorControl, createAwsFrontEnd } from '@polykms/emulator';
import type { AwsEndpoint, AwsFrontEnd } from '@polykms/emulator';
import { decrypt, encrypt } from '@polykms/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

// Multi-Region keys across implementations: what one region writes with either SDK, the other
// region reads with the other SDK's MRK-aware keyring, both over the emulator through the AWS SDK.
describe('AWS multi-Region key interop with @aws-crypto/client-node', () => {
  let frontEnd: AwsFrontEnd;
  let aws: AwsEndpoint;
  let control: EmulatorControl;
  const clients: KMS[] = [];
  const regionsAsked: string[] = [];
  const kmsFor = (region: string) => {
    regionsAsked.push(region);
    const client = new KMS({ ...aws.clientConfig, region });
    clients.push(client);
    return client;
  };
  let east: string;
  let west: string;
  const encryptionContext = { tenant: 'acme' };

  beforeAll(async () => {
    control = new EmulatorControl();
    frontEnd = createAwsFrontEnd({ control, onChange() {} });
    aws = frontEnd.endpoint('127.0.0.1', await frontEnd.listen('127.0.0.1', 0));
    const { KeyMetadata } = await kmsFor('us-east-1').send(new CreateKeyCommand({ MultiRegion: true }));
    const { ReplicaKeyMetadata } = await kmsFor('us-east-1').send(
      new ReplicateKeyCommand({ KeyId: KeyMetadata?.Arn, ReplicaRegion: 'eu-west-1' }),
    );
    east = KeyMetadata?.Arn as string;
    west = ReplicaKeyMetadata?.Arn as string;
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await frontEnd.close();
  });

  it('our AwsKmsMrkKeyring in eu-west-1 decrypts what the ESDK MRK keyring wrote in us-east-1', async () => {
    const plaintext = randomBytes(3000);
    const { result } = await esdk.encrypt(
      new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: east, client: kmsFor('us-east-1') }),
      plaintext,
      { encryptionContext },
    );
    control.resetCounters();
    const opened = await decrypt(result, {
      keyring: new AwsKmsMrkKeyring({ keyId: west, clientProvider: kmsFor }),
      encryptionContext,
    });
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(control.calls({ cloud: 'aws', operation: 'Decrypt', keyId: west }).total).toBe(1);
    expect(control.calls({ cloud: 'aws', operation: 'Decrypt', keyId: east }).total).toBe(0);
  });

  it('the ESDK MRK keyring in eu-west-1 decrypts what our AwsKmsKeyring wrote in us-east-1', async () => {
    const plaintext = randomBytes(3000);
    const { message } = await encrypt(plaintext, {
      keyring: new AwsKmsKeyring({ keyId: east, clientProvider: kmsFor }),
      encryptionContext,
    });
    control.resetCounters();
    const opened = await esdk.decrypt(
      new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: west, client: kmsFor('eu-west-1') }),
      message,
    );
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(control.calls({ cloud: 'aws', operation: 'Decrypt', keyId: west }).total).toBe(1);
  });

  it('the discovery keyrings of both SDKs read the other region through the replica', async () => {
    const plaintext = randomBytes(1000);
    const account = east.split(':')[4] as string;
    const { message } = await encrypt(plaintext, {
      keyring: new AwsKmsMrkKeyring({ keyId: east, clientProvider: kmsFor }),
      encryptionContext,
    });
    const byEsdk = await esdk.decrypt(
      new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
        client: kmsFor('eu-west-1'),
        discoveryFilter: { partition: 'aws', accountIDs: [account] },
      }),
      message,
    );
    expect(Buffer.from(byEsdk.plaintext).equals(plaintext)).toBe(true);

    const { result } = await esdk.encrypt(
      new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: east, client: kmsFor('us-east-1') }),
      plaintext,
      { encryptionContext },
    );
    regionsAsked.length = 0;
    const ours = await decrypt(result, {
      keyring: new AwsKmsMrkDiscoveryKeyring({
        discoveryFilter: { partition: 'aws', accountIds: [account] },
        region: 'eu-west-1',
        clientProvider: kmsFor,
      }),
    });
    expect(Buffer.from(ours.plaintext).equals(plaintext)).toBe(true);
    expect(regionsAsked).toEqual(['eu-west-1']);
  });
});
