import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CreateKeyCommand, type KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import {
  type EncryptedDataKey,
  ErrorCodes,
  KMS_CALL_CHANNEL,
  type KmsCallEvent,
  NoDecryptableKeyError,
  Suites,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AwsKmsDiscoveryKeyring,
  AwsKmsKeyring,
  AwsKmsMrkDiscoveryKeyring,
  AwsKmsMrkKeyring,
  awsKmsKeyringScheme,
  awsKmsMrkDiscoveryMultiKeyring,
  awsKmsMrkMultiKeyring,
  isMultiRegionKey,
  mrkMatch,
  parseAwsKmsArn,
  parseKeyArn,
} from '../src/index.js';
import { type KmsTarget, startEmulatorTarget } from './aws-targets.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { tenant: 'acme' };

describe('mrkMatch (the ESDK match for decrypt)', () => {
  const arn = (region: string, id: string, account = '111122223333') =>
    parseKeyArn(`arn:aws:kms:${region}:${account}:key/${id}`)!;
  const mrk = 'mrk-80bd8ecdcd4342aebd84b7dc9da498a7';
  it('matches a multi-Region key with its replica in another region', () => {
    expect(mrkMatch(arn('us-east-1', mrk), arn('eu-west-1', mrk))).toBe(true);
  });
  it('does not match single-Region keys of the same id in two regions', () => {
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(mrkMatch(arn('us-east-1', id), arn('eu-west-1', id))).toBe(false);
    expect(mrkMatch(arn('us-east-1', id), arn('us-east-1', id))).toBe(true);
  });
  it('counts only key ARNs as multi-Region keys, never an alias named mrk-', () => {
    const alias = parseAwsKmsArn(
      'arn:aws:kms:us-east-1:111122223333:alias/mrk-80bd8ecdcd4342aebd84b7dc9da498a7',
    )!;
    expect(isMultiRegionKey(alias)).toBe(false);
    expect(isMultiRegionKey(arn('us-east-1', mrk))).toBe(true);
    expect(
      mrkMatch(alias, { ...alias, region: 'eu-west-1', arn: alias.arn.replace('us-east-1', 'eu-west-1') }),
    ).toBe(false);
  });
  it('does not match multi-Region keys of another account or another id', () => {
    expect(mrkMatch(arn('us-east-1', mrk), arn('eu-west-1', mrk, '444455556666'))).toBe(false);
    expect(mrkMatch(arn('us-east-1', mrk), arn('eu-west-1', `${mrk.slice(0, -1)}0`))).toBe(false);
  });
});

describe('multi-Region key keyrings against the emulator', () => {
  let target: KmsTarget;
  const clients: Record<string, KMSClient> = {};
  /** Regions asked for a client, in order: where each keyring sends its KMS calls. */
  let regionsAsked: string[] = [];
  const clientProvider = (region: string) => {
    regionsAsked.push(region);
    clients[region] ??= target.client({ region });
    return clients[region];
  };
  const control = () => target.control!;
  let east: string;
  let west: string;

  const edkOf = async (ring: AwsKmsKeyring | AwsKmsMrkKeyring) => {
    const { dataKey, encryptedDataKeys } = await wrapDataKey(ring, { suite, encryptionContext });
    return { dataKey, edk: encryptedDataKeys[0] as EncryptedDataKey };
  };
  const open = (ring: Parameters<typeof unwrapDataKey>[0], edks: EncryptedDataKey[]) =>
    unwrapDataKey(ring, { suite, encryptionContext, encryptedDataKeys: edks });

  async function createMrk(): Promise<{ east: string; west: string }> {
    const { KeyMetadata } = await clientProvider('us-east-1').send(
      new CreateKeyCommand({ MultiRegion: true }),
    );
    const { ReplicaKeyMetadata } = await clientProvider('us-east-1').send(
      new ReplicateKeyCommand({ KeyId: KeyMetadata!.Arn, ReplicaRegion: 'eu-west-1' }),
    );
    return { east: KeyMetadata!.Arn!, west: ReplicaKeyMetadata!.Arn! };
  }

  beforeAll(async () => {
    target = await startEmulatorTarget();
    ({ east, west } = await createMrk());
  });
  afterEach(() => {
    control().resetCounters();
    regionsAsked = [];
  });
  afterAll(() => target.stop());

  it('decrypts an EDK of the us-east-1 key with the eu-west-1 replica, calling KMS in eu-west-1 only', async () => {
    const { dataKey, edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
    expect(new TextDecoder().decode(edk.providerInfo)).toBe(east);
    control().resetCounters();
    regionsAsked = [];
    const events: KmsCallEvent[] = [];
    const listener = (event: unknown) => events.push(event as KmsCallEvent);
    subscribe(KMS_CALL_CHANNEL, listener);
    try {
      const opened = await open(new AwsKmsMrkKeyring({ keyId: west, clientProvider }), [edk]);
      expect(opened?.dataKey).toEqual(dataKey);
    } finally {
      unsubscribe(KMS_CALL_CHANNEL, listener);
    }
    expect(regionsAsked).toEqual(['eu-west-1']);
    expect(events.map((e) => [e.operation, e.keyId, e.outcome])).toEqual([['Decrypt', west, 'success']]);
    expect(control().calls({ cloud: 'aws', operation: 'Decrypt', keyId: west }).total).toBe(1);
    expect(control().calls({ cloud: 'aws', operation: 'Decrypt', keyId: east }).total).toBe(0);
  });

  it('the plain AwsKmsKeyring does not open a replica EDK (MRK-awareness is opt-in)', async () => {
    const { edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
    control().resetCounters();
    expect(await open(new AwsKmsKeyring({ keyId: west, clientProvider }), [edk])).toBeNull();
    expect(control().calls({ cloud: 'aws' }).total).toBe(0);
  });

  it('encrypts with its own key ARN, which the primary region then opens', async () => {
    const { dataKey, edk } = await edkOf(new AwsKmsMrkKeyring({ keyId: west, clientProvider }));
    expect(new TextDecoder().decode(edk.providerInfo)).toBe(west);
    const opened = await open(new AwsKmsMrkKeyring({ keyId: east, clientProvider }), [edk]);
    expect(opened?.dataKey).toEqual(dataKey);
  });

  it('does not match a single-Region key in another region, even with the same account', async () => {
    const single = await target.createKey('us-east-1');
    const { edk } = await edkOf(new AwsKmsKeyring({ keyId: single, clientProvider }));
    const elsewhere = single.replace('us-east-1', 'eu-west-1');
    control().resetCounters();
    expect(await open(new AwsKmsMrkKeyring({ keyId: elsewhere, clientProvider }), [edk])).toBeNull();
    expect(control().calls({ cloud: 'aws' }).total).toBe(0);
  });

  it('does not match another multi-Region key', async () => {
    const other = await createMrk();
    const { edk } = await edkOf(new AwsKmsKeyring({ keyId: other.east, clientProvider }));
    control().resetCounters();
    expect(await open(new AwsKmsMrkKeyring({ keyId: west, clientProvider }), [edk])).toBeNull();
    expect(control().calls({ cloud: 'aws' }).total).toBe(0);
  });

  it('refuses the data key when KMS answers for a key other than the replica asked for', async () => {
    const { edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
    const lying = target.client({ region: 'eu-west-1' });
    lying.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        (result.output as { KeyId?: string }).KeyId = east;
        return result;
      },
      { step: 'initialize', name: 'answerForThePrimary' },
    );
    const error = await open(new AwsKmsMrkKeyring({ keyId: west, client: lying }), [edk]).catch((e) => e);
    expect(error).toBeInstanceOf(NoDecryptableKeyError);
    const failure = (error as NoDecryptableKeyError).failures[0]?.error;
    expect(failure?.code).toBe(ErrorCodes.ProviderFailure);
    expect(failure?.message).toContain('not the one asked for');
  });

  describe('AwsKmsMrkDiscoveryKeyring', () => {
    const discovery = (region: string, accountIds = [parseKeyArn(east)!.account]) =>
      new AwsKmsMrkDiscoveryKeyring({
        discoveryFilter: { partition: 'aws', accountIds },
        region,
        clientProvider,
      });

    it('opens an EDK of a multi-Region key with its replica in the configured region', async () => {
      const { dataKey, edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      control().resetCounters();
      regionsAsked = [];
      expect((await open(discovery('eu-west-1'), [edk]))?.dataKey).toEqual(dataKey);
      expect(regionsAsked).toEqual(['eu-west-1']);
      expect(control().calls({ cloud: 'aws', operation: 'Decrypt', keyId: west }).total).toBe(1);
    });

    it('opens a single-Region key EDK only in the configured region', async () => {
      const single = await target.createKey('us-east-1');
      const { dataKey, edk } = await edkOf(new AwsKmsKeyring({ keyId: single, clientProvider }));
      control().resetCounters();
      expect(await open(discovery('eu-west-1'), [edk])).toBeNull();
      expect(control().calls({ cloud: 'aws' }).total).toBe(0);
      expect((await open(discovery('us-east-1'), [edk]))?.dataKey).toEqual(dataKey);
    });

    it('applies the account filter before any call', async () => {
      const { edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      control().resetCounters();
      expect(await open(discovery('eu-west-1', ['000000000000']), [edk])).toBeNull();
      expect(control().calls({ cloud: 'aws' }).total).toBe(0);
    });

    it('fails on a region where the key has no replica, with the replica named', async () => {
      const { edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      const error = await open(discovery('ap-southeast-2'), [edk]).catch((e) => e);
      const failure = (error as NoDecryptableKeyError).failures[0]?.error;
      expect(failure?.code).toBe(ErrorCodes.KeyNotFound);
      expect(failure?.keyId).toBe(east.replace('us-east-1', 'ap-southeast-2'));
    });

    it('refuses a region outside the filter partition, and cannot encrypt', async () => {
      expect(() => discovery('cn-north-1')).toThrow(/region/);
      expect(
        () =>
          new AwsKmsMrkDiscoveryKeyring({
            discoveryFilter: { partition: 'aws', accountIds: ['111122223333'] },
          } as never),
      ).toThrow(/region/);
      await expect(wrapDataKey(discovery('eu-west-1'), { suite, encryptionContext })).rejects.toMatchObject({
        code: ErrorCodes.InvalidArgument,
      });
    });

    it('the plain discovery keyring still calls the region each EDK names', async () => {
      const { edk } = await edkOf(new AwsKmsKeyring({ keyId: west, clientProvider }));
      regionsAsked = [];
      const plain = new AwsKmsDiscoveryKeyring({
        discoveryFilter: { partition: 'aws', accountIds: [parseKeyArn(east)!.account] },
        clientProvider,
      });
      expect(await open(plain, [edk])).not.toBeNull();
      expect(regionsAsked).toEqual(['eu-west-1']);
    });
  });

  describe('multi-keyrings (the ESDK builders)', () => {
    it('wraps under every key, and a replica of the generator opens the message in its own region', async () => {
      const single = await target.createKey('us-east-1');
      const writer = awsKmsMrkMultiKeyring({ generatorKeyId: east, keyIds: [single], clientProvider });
      const { dataKey, encryptedDataKeys } = await wrapDataKey(writer, { suite, encryptionContext });
      expect(encryptedDataKeys.map((edk) => Buffer.from(edk.providerInfo).toString())).toEqual([
        east,
        single,
      ]);
      regionsAsked = [];
      const reader = awsKmsMrkMultiKeyring({ keyIds: [west], clientProvider });
      const opened = await unwrapDataKey(reader, { suite, encryptionContext, encryptedDataKeys });
      expect(opened?.dataKey).toEqual(dataKey);
      expect(regionsAsked).toEqual(['eu-west-1']);
    });

    it('refuses a multi-Region key named twice (a key and its replica), naming every such id', () => {
      const bare = parseKeyArn(east)!.resourceId;
      for (const keyIds of [[west], [bare]]) {
        expect(() => awsKmsMrkMultiKeyring({ generatorKeyId: east, keyIds, clientProvider })).toThrow(
          new RegExp(`${bare}.*${bare}`),
        );
      }
      expect(() => awsKmsMrkMultiKeyring({ clientProvider })).toThrow(/generatorKeyId/);
    });

    it('tries each region in order for discovery, calling only those regions', async () => {
      const { dataKey, edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      const reader = awsKmsMrkDiscoveryMultiKeyring({
        regions: ['ap-southeast-2', 'eu-west-1'],
        discoveryFilter: { partition: 'aws', accountIds: [parseKeyArn(east)!.account] },
        clientProvider,
      });
      regionsAsked = [];
      expect((await open(reader, [edk]))?.dataKey).toEqual(dataKey);
      expect(regionsAsked).toEqual(['ap-southeast-2', 'eu-west-1']);
      expect(() =>
        awsKmsMrkDiscoveryMultiKeyring({
          regions: [],
          discoveryFilter: { partition: 'aws', accountIds: ['111122223333'] },
        }),
      ).toThrow(/regions/);
    });
  });

  describe('key URIs', () => {
    const settings = () => ({ clientProvider });
    const scheme = awsKmsKeyringScheme;
    const discoveryOf = (text: string) => scheme.discovery!.parse(text);

    it("an mrk- key URI is multi-Region aware: it opens its replicas' EDKs, calling its own region", async () => {
      const parsed = scheme.parseKey(west)!;
      expect(parsed.multiRegion).toBe(true);
      expect(scheme.parseKey(await target.createKey())?.multiRegion).toBeUndefined();
      const { dataKey, edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      regionsAsked = [];
      const ring = await scheme.keyring(parsed, { settings: settings(), purpose: 'decrypt' });
      expect(ring).toBeInstanceOf(AwsKmsMrkKeyring);
      expect((await open(ring, [edk]))?.dataKey).toEqual(dataKey);
      expect(regionsAsked).toEqual(['eu-west-1']);
    });

    it("an mrk- key URI counts its replicas' EDKs as its own; a single-Region key URI only its own", async () => {
      const { edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      expect(scheme.edkMatchesKey!(scheme.parseKey(west)!, edk)).toBe(true);
      const single = await target.createKey();
      const { edk: singleEdk } = await edkOf(new AwsKmsKeyring({ keyId: single, clientProvider }));
      expect(
        scheme.edkMatchesKey!(scheme.parseKey(single.replace('us-east-1', 'eu-west-1'))!, singleEdk),
      ).toBe(false);
      expect(scheme.edkMatchesKey!(scheme.parseKey(single)!, singleEdk)).toBe(true);
    });

    it('a discovery filter with ?region= makes an AwsKmsMrkDiscoveryKeyring for that region', async () => {
      const account = parseKeyArn(east)!.account;
      const filter = discoveryOf(`aws/${account}?region=eu-west-1`)!;
      expect(filter).toEqual({ partition: 'aws', accountIds: [account], region: 'eu-west-1' });
      const ring = await scheme.discovery!.keyring(filter, { settings: settings(), purpose: 'decrypt' });
      expect(ring).toBeInstanceOf(AwsKmsMrkDiscoveryKeyring);
      const { dataKey, edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      regionsAsked = [];
      expect((await open(ring, [edk]))?.dataKey).toEqual(dataKey);
      expect(regionsAsked).toEqual(['eu-west-1']);
    });

    it('a discovery filter with ?region= calls KMS through a client given for that region', async () => {
      const account = parseKeyArn(east)!.account;
      const ring = await scheme.discovery!.keyring(discoveryOf(`aws/${account}?region=eu-west-1`)!, {
        settings: { client: target.client({ region: 'eu-west-1' }) },
        purpose: 'decrypt',
      });
      const { dataKey, edk } = await edkOf(new AwsKmsKeyring({ keyId: east, clientProvider }));
      control().resetCounters();
      expect((await open(ring, [edk]))?.dataKey).toEqual(dataKey);
      expect(control().calls({ cloud: 'aws', operation: 'Decrypt', keyId: west }).total).toBe(1);
    });

    it('refuses a client for discovery across regions rather than ignore it', async () => {
      const account = parseKeyArn(east)!.account;
      const error = await scheme
        .discovery!.keyring(discoveryOf(`aws/${account}`)!, {
          settings: { client: target.client({ region: 'eu-west-1' }) },
          purpose: 'decrypt',
        })
        .catch((e) => e);
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
      expect(String(error.message)).toMatch(/clientProvider/);
    });

    it('refuses a filter region outside its partition, and merges filters per partition and region', () => {
      expect(discoveryOf('aws/111122223333?region=cn-north-1')).toBeUndefined();
      expect(discoveryOf('aws/111122223333?region=')).toBeUndefined();
      expect(discoveryOf('aws/111122223333?zone=eu-west-1')).toBeUndefined();
      const merged = scheme.discovery!.merge([
        discoveryOf('aws/111122223333?region=eu-west-1')!,
        discoveryOf('aws/444455556666?region=eu-west-1')!,
        discoveryOf('aws/111122223333')!,
      ]);
      expect(merged).toEqual([
        { partition: 'aws', accountIds: ['111122223333', '444455556666'], region: 'eu-west-1' },
        { partition: 'aws', accountIds: ['111122223333'] },
      ]);
    });
  });
});
