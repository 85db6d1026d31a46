import { randomBytes } from 'node:crypto';
import {
  CommitmentPolicy,
  EncryptedDataKey as EsdkEncryptedDataKey,
  KeyringNode,
  KeyringTraceFlag,
  KmsKeyringNode,
  type NodeDecryptionMaterial,
  type NodeEncryptionMaterial,
  buildClient,
} from '@aws-crypto/client-node';
import { CreateAliasCommand, CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
import { AwsKmsDiscoveryKeyring, AwsKmsKeyring } from '@polykms/aws-kms';
import { EmulatorControl, createAwsFrontEnd } from '@polykms/emulator';
import type { AwsEndpoint, AwsFrontEnd } from '@polykms/emulator';
import {
  type Keyring,
  decrypt,
  encrypt,
  suiteFromId,
  unwrapDataKey,
  wrapDataKey,
  zeroize,
} from '@polykms/envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const utf8 = new TextEncoder();

// Messages written with our AwsKmsKeyring open in the AWS Encryption SDK for JavaScript (5.0.2)
// with its KmsKeyringNode, and the reverse, both talking to our emulator through the AWS SDK.
describe('AWS KMS interop with @aws-crypto/client-node: whole messages', () => {
  let frontEnd: AwsFrontEnd;
  let aws: AwsEndpoint;
  const clients: KMS[] = [];
  // The ESDK calls the aggregated client's methods (client.decrypt(…)), so it needs `KMS`, which is a KMSClient.
  const kmsFor = (region: string) => {
    const client = new KMS({ ...aws.clientConfig, region });
    clients.push(client);
    return client;
  };
  const clientProvider = (region: string) => kmsFor(region);
  const createKey = async (region = aws.region) => {
    const { KeyMetadata } = await kmsFor(region).send(new CreateKeyCommand({}));
    return KeyMetadata?.Arn as string;
  };
  const encryptionContext = { department: 'billing', 'b-key': 'Ünïcode ✓' };

  beforeAll(async () => {
    frontEnd = createAwsFrontEnd({ control: new EmulatorControl(), onChange() {} });
    aws = frontEnd.endpoint('127.0.0.1', await frontEnd.listen('127.0.0.1', 0));
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await frontEnd.close();
  });

  it('the ESDK KMS keyring decrypts a message our AwsKmsKeyring wrote', async () => {
    const arn = await createKey();
    const plaintext = randomBytes(5000);
    const { message } = await encrypt(plaintext, {
      keyring: new AwsKmsKeyring({ keyId: arn, clientProvider }),
      encryptionContext,
    });
    const opened = await esdk.decrypt(new KmsKeyringNode({ keyIds: [arn], clientProvider }), message);
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(opened.messageHeader.encryptionContext).toMatchObject(encryptionContext);
    expect(opened.messageHeader.encryptedDataKeys.map((e) => [e.providerId, e.providerInfo])).toEqual([
      ['aws-kms', arn],
    ]);
  });

  it('our AwsKmsKeyring decrypts a message the ESDK KMS keyring wrote (signed default suite)', async () => {
    const arn = await createKey();
    const plaintext = randomBytes(5000);
    const { result } = await esdk.encrypt(
      new KmsKeyringNode({ generatorKeyId: arn, clientProvider }),
      plaintext,
      {
        encryptionContext,
      },
    );
    const opened = await decrypt(result, { keyring: new AwsKmsKeyring({ keyId: arn, clientProvider }) });
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(opened.header.suite.id).toBe(0x0578);
    expect(opened.encryptionContext).toMatchObject(encryptionContext);
  });

  it('opens an ESDK message generated through an alias and wrapped for a second key in another region', async () => {
    const [a, b] = [await createKey(), await createKey('eu-west-1')];
    await kmsFor(aws.region).send(new CreateAliasCommand({ AliasName: 'alias/interop', TargetKeyId: a }));
    const { result } = await esdk.encrypt(
      new KmsKeyringNode({
        generatorKeyId: a.replace(/key\/.*$/, 'alias/interop'),
        keyIds: [b],
        clientProvider,
      }),
      Buffer.from('two keys'),
      { encryptionContext },
    );
    for (const keyId of [a, b]) {
      const opened = await decrypt(result, { keyring: new AwsKmsKeyring({ keyId, clientProvider }) });
      expect(Buffer.from(opened.plaintext).toString()).toBe('two keys');
    }
  });

  it('discovery keyrings read each other’s messages', async () => {
    const arn = await createKey();
    const ours = await encrypt(Buffer.from('ours'), {
      keyring: new AwsKmsKeyring({ keyId: arn, clientProvider }),
      encryptionContext,
    });
    const esdkDiscovery = new KmsKeyringNode({
      discovery: true,
      discoveryFilter: { partition: 'aws', accountIDs: [aws.accountId] },
      clientProvider,
    });
    expect(Buffer.from((await esdk.decrypt(esdkDiscovery, ours.message)).plaintext).toString()).toBe('ours');

    const theirs = await esdk.encrypt(
      new KmsKeyringNode({ generatorKeyId: arn, clientProvider }),
      Buffer.from('theirs'),
      {
        encryptionContext,
      },
    );
    const ourDiscovery = new AwsKmsDiscoveryKeyring({
      discoveryFilter: { partition: 'aws', accountIds: [aws.accountId] },
      clientProvider,
    });
    expect(Buffer.from((await decrypt(theirs.result, { keyring: ourDiscovery })).plaintext).toString()).toBe(
      'theirs',
    );
  });
});

/**
 * An ESDK keyring that delegates to one of ours, so that the ESDK writes and reads the message and
 * only the keyring (data key, EDK, KMS encryption context) is ours.
 */
class BridgeKeyring extends KeyringNode {
  constructor(readonly ours: Keyring) {
    super();
  }

  async _onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    const suite = suiteFromId(material.suite.id);
    const { dataKey, encryptedDataKeys } = await wrapDataKey(this.ours, {
      suite,
      encryptionContext: material.encryptionContext,
    });
    const trace = { keyNamespace: 'aws-kms', keyName: this.ours.description };
    // The ESDK insists on a buffer of its own; ours may be a view into the SDK's response buffer.
    material.setUnencryptedDataKey(Uint8Array.from(dataKey), {
      ...trace,
      flags: KeyringTraceFlag.WRAPPING_KEY_GENERATED_DATA_KEY,
    });
    zeroize(dataKey);
    for (const edk of encryptedDataKeys) {
      material.addEncryptedDataKey(
        new EsdkEncryptedDataKey({
          providerId: edk.providerId,
          providerInfo: new TextDecoder().decode(edk.providerInfo),
          encryptedDataKey: edk.ciphertext,
        }),
        KeyringTraceFlag.WRAPPING_KEY_ENCRYPTED_DATA_KEY | KeyringTraceFlag.WRAPPING_KEY_SIGNED_ENC_CTX,
      );
    }
    return material;
  }

  async _onDecrypt(
    material: NodeDecryptionMaterial,
    edks: EsdkEncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const opened = await unwrapDataKey(this.ours, {
      suite: suiteFromId(material.suite.id),
      encryptionContext: material.encryptionContext,
      encryptedDataKeys: edks.map((e) => ({
        providerId: e.providerId,
        providerInfo: utf8.encode(e.providerInfo),
        ciphertext: e.encryptedDataKey,
      })),
    });
    if (opened) {
      const dataKey = Uint8Array.from(opened.dataKey);
      zeroize(opened.dataKey);
      material.setUnencryptedDataKey(dataKey, {
        keyNamespace: 'aws-kms',
        keyName: this.ours.description,
        flags:
          KeyringTraceFlag.WRAPPING_KEY_DECRYPTED_DATA_KEY | KeyringTraceFlag.WRAPPING_KEY_VERIFIED_ENC_CTX,
      });
    }
    return material;
  }
}

// Keyring-level interop: the ESDK writes and reads every message; our AwsKmsKeyring supplies or
// opens the data key on one side and the ESDK's KmsKeyringNode on the other. This pins that our
// EDKs (provider id, key ARN, KMS ciphertext, full encryption context incl. aws-crypto-public-key)
// are exactly what the ESDK's KMS keyring writes and reads.
describe('AWS KMS keyring interop with @aws-crypto/client-node KmsKeyringNode', () => {
  let frontEnd: AwsFrontEnd;
  let aws: AwsEndpoint;
  const clients: KMS[] = [];
  const clientProvider = (region: string) => {
    const client = new KMS({ ...aws.clientConfig, region });
    clients.push(client);
    return client;
  };
  const createKey = async (region = aws.region) => {
    const { KeyMetadata } = await clientProvider(region).send(new CreateKeyCommand({}));
    return KeyMetadata?.Arn as string;
  };
  const encryptionContext = { department: 'billing', 'b-key': 'Ünïcode ✓' };

  beforeAll(async () => {
    frontEnd = createAwsFrontEnd({ control: new EmulatorControl(), onChange() {} });
    aws = frontEnd.endpoint('127.0.0.1', await frontEnd.listen('127.0.0.1', 0));
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await frontEnd.close();
  });

  it('KmsKeyringNode opens a data key our AwsKmsKeyring generated and wrapped (signed suite)', async () => {
    const arn = await createKey();
    const plaintext = randomBytes(3000);
    const { result, messageHeader } = await esdk.encrypt(
      new BridgeKeyring(new AwsKmsKeyring({ keyId: arn, clientProvider })),
      plaintext,
      { encryptionContext },
    );
    expect(messageHeader.encryptedDataKeys.map((e) => [e.providerId, e.providerInfo])).toEqual([
      ['aws-kms', arn],
    ]);
    const opened = await esdk.decrypt(new KmsKeyringNode({ keyIds: [arn], clientProvider }), result);
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  });

  it('our AwsKmsKeyring opens a data key KmsKeyringNode generated through an alias', async () => {
    const arn = await createKey();
    await clientProvider(aws.region).send(
      new CreateAliasCommand({ AliasName: 'alias/bridge', TargetKeyId: arn }),
    );
    const plaintext = randomBytes(3000);
    const { result } = await esdk.encrypt(
      new KmsKeyringNode({ generatorKeyId: arn.replace(/key\/.*$/, 'alias/bridge'), clientProvider }),
      plaintext,
      { encryptionContext },
    );
    const opened = await esdk.decrypt(
      new BridgeKeyring(new AwsKmsKeyring({ keyId: arn, clientProvider })),
      result,
    );
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  });

  it('our discovery keyring opens an EDK KmsKeyringNode wrapped for a second key in another region', async () => {
    const [a, b] = [await createKey(), await createKey('eu-west-1')];
    const { result } = await esdk.encrypt(
      new KmsKeyringNode({ generatorKeyId: a, keyIds: [b], clientProvider }),
      Buffer.from('two keys'),
      { encryptionContext },
    );
    const discovery = new AwsKmsDiscoveryKeyring({
      discoveryFilter: { partition: 'aws', accountIds: [aws.accountId] },
      clientProvider,
    });
    for (const ours of [new AwsKmsKeyring({ keyId: b, clientProvider }), discovery]) {
      const opened = await esdk.decrypt(new BridgeKeyring(ours), result);
      expect(Buffer.from(opened.plaintext).toString()).toBe('two keys');
    }
  });
});
