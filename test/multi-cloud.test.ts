import { randomBytes } from 'node:crypto';
import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { KMS } from '@aws-sdk/client-kms';
import {
  ErrorCodes,
  type Keyring,
  MultiKeyring,
  type NoDecryptableKeyError,
  type PolykmsError,
  type RecipientsUnavailableError,
  decrypt,
  encrypt,
  inspect,
  rewrap,
} from '@polykms/envelope';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudBed, startCloudBed } from './support/clouds.js';

// One message for three clouds (AWS KMS, Google Cloud KMS, Azure Key Vault), each through its
// official SDK client against the emulator over loopback. Each cloud alone opens it, any one
// cloud may be down, and other Encryption SDKs still read their own EDK in it.

const CLOUDS = ['aws', 'gcp', 'azure'] as const;
type Cloud = (typeof CLOUDS)[number];
const PROVIDER_IDS: Record<Cloud, string> = { aws: 'aws-kms', gcp: 'gcp-kms', azure: 'azure-kv' };

let bed: CloudBed;
const keys = {} as Record<Cloud, string>;
const strict = (cloud: Cloud): Keyring => bed[cloud](keys[cloud]);
const discovery = (cloud: Cloud): Keyring =>
  cloud === 'aws' ? bed.awsDiscovery() : cloud === 'gcp' ? bed.gcpDiscovery() : bed.azureDiscovery();
/** AWS generates the data key; GCP and Azure wrap it too. Decrypt tries them in that order. */
const allThree = (options: { minRecipients?: number } = {}) =>
  new MultiKeyring({ generator: strict('aws'), children: [strict('gcp'), strict('azure')], ...options });

const encryptionContext = { tenant: 'acme', purpose: 'multi-cloud' };
const plaintext = randomBytes(100_000);
let message: Uint8Array;

async function failure<E extends PolykmsError = PolykmsError>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => expect.unreachable('expected a failure'),
    (error: unknown) => error as E,
  );
}

function unwrapCalls(): Record<Cloud, number> {
  return {
    aws: bed.calls('aws', 'Decrypt'),
    gcp: bed.calls('gcp', 'Decrypt'),
    azure: bed.calls('azure', 'unwrapKey'),
  };
}

beforeAll(async () => {
  bed = await startCloudBed();
  [keys.aws, keys.gcp, keys.azure] = await Promise.all([
    bed.createAwsKey(),
    bed.createGcpKey(),
    bed.createAzureKey(),
  ]);
  ({ message } = await encrypt(plaintext, { keyring: allThree(), encryptionContext }));
});
afterAll(() => bed?.stop());
beforeEach(() => bed.control.reset());

describe('one message for AWS, Google Cloud and Azure', () => {
  it('carries one EDK per cloud, generator first, each naming its key', () => {
    const edks = inspect(message).encryptedDataKeys;
    expect(edks.map((e) => e.providerId)).toEqual(['aws-kms', 'gcp-kms', 'azure-kv']);
    expect(edks[0]?.providerInfo).toBe(keys.aws);
    expect(edks[1]?.providerInfo).toMatch(new RegExp(`^${keys.gcp}/cryptoKeyVersions/1$`));
    expect(edks[2]?.providerInfo.startsWith(`${keys.azure}/`)).toBe(true);
  });

  it.each(CLOUDS)('decrypts with the %s keyring alone (strict), calling only that cloud', async (cloud) => {
    const result = await decrypt(message, { keyring: strict(cloud), encryptionContext });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    expect(result.encryptedDataKey.providerId).toBe(PROVIDER_IDS[cloud]);
    expect(unwrapCalls()).toEqual({ aws: 0, gcp: 0, azure: 0, [cloud]: 1 });
  });

  it.each(CLOUDS)('decrypts with the %s discovery keyring alone', async (cloud) => {
    const result = await decrypt(message, { keyring: discovery(cloud), encryptionContext });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    expect(result.encryptedDataKey.providerId).toBe(PROVIDER_IDS[cloud]);
    expect(unwrapCalls()).toEqual({ aws: 0, gcp: 0, azure: 0, [cloud]: 1 });
  });
});

describe('a cloud that is down', () => {
  it('decrypts through Google Cloud when AWS, tried first, is unavailable', async () => {
    bed.control.injectFault({ cloud: 'aws', kind: 'unavailable' });
    const result = await decrypt(message, { keyring: allThree(), encryptionContext });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    expect(result.encryptedDataKey.providerId).toBe('gcp-kms');
    // AWS was tried once (its client does not retry here) and its failure was not fatal.
    expect(unwrapCalls()).toEqual({ aws: 1, gcp: 1, azure: 0 });
  });

  it('fails with ERR_NO_DECRYPTABLE_KEY naming every recipient with a retryable code when all are down', async () => {
    for (const cloud of CLOUDS) bed.control.injectFault({ cloud, kind: 'unavailable' });
    const multi = allThree();
    const error = await failure<NoDecryptableKeyError>(
      decrypt(message, { keyring: multi, encryptionContext }),
    );
    expect(error.code).toBe(ErrorCodes.NoDecryptableKey);
    expect(error.retryable).toBe(true);
    // Each names the key it tried (GCP and Azure down to the version in the EDK).
    expect(error.failures).toHaveLength(3);
    error.failures.forEach(({ recipient }, i) => {
      const cloud = CLOUDS[i] as Cloud;
      expect(
        recipient === `${PROVIDER_IDS[cloud]} ${keys[cloud]}` ||
          recipient.startsWith(`${PROVIDER_IDS[cloud]} ${keys[cloud]}/`),
      ).toBe(true);
    });
    for (const { error: cause } of error.failures) {
      expect(cause.code).toBe(ErrorCodes.Unavailable);
      expect(cause.retryable).toBe(true);
    }
    expect(error.failures.map((f) => f.error.provider)).toEqual(CLOUDS.map((c) => PROVIDER_IDS[c]));
    // One call to each cloud: no SDK retried, and the first failures did not stop the others.
    // (Azure's client reads the key before unwrapping, and that read is what failed.)
    expect({ aws: bed.calls('aws'), gcp: bed.calls('gcp'), azure: bed.calls('azure') }).toEqual({
      aws: 1,
      gcp: 1,
      azure: 1,
    });
  });

  it('refuses to encrypt when a recipient is down, by default (all or nothing)', async () => {
    bed.control.injectFault({ cloud: 'azure', kind: 'unavailable' });
    const error = await failure<RecipientsUnavailableError>(
      encrypt(plaintext, { keyring: allThree(), encryptionContext }),
    );
    expect(error.code).toBe(ErrorCodes.RecipientsUnavailable);
    expect(error.retryable).toBe(true);
    expect(error.failures.map((f) => [f.recipient, f.error.code])).toEqual([
      [`azure-kv ${keys.azure}`, ErrorCodes.Unavailable],
    ]);
  });

  it('encrypts for the two clouds that are up with minRecipients: 2, reports Azure missing, and adds it later by rewrap', async () => {
    bed.control.injectFault({ cloud: 'azure', kind: 'unavailable' });
    const partial = await encrypt(plaintext, { keyring: allThree({ minRecipients: 2 }), encryptionContext });
    expect(partial.missingRecipients.map((f) => [f.recipient, f.error.code, f.error.retryable])).toEqual([
      [`azure-kv ${keys.azure}`, ErrorCodes.Unavailable, true],
    ]);
    expect(inspect(partial.message).encryptedDataKeys.map((e) => e.providerId)).toEqual([
      'aws-kms',
      'gcp-kms',
    ]);
    await expect(decrypt(partial.message, { keyring: strict('azure') })).rejects.toMatchObject({
      code: ErrorCodes.NoDecryptableKey,
    });

    bed.control.clearFaults('azure');
    const completed = await rewrap(partial.message, {
      decryptKeyring: strict('gcp'),
      keyring: strict('azure'),
      mode: 'add',
      // Re-encryption wraps the new data key for the recipients it keeps, named in their EDKs.
      keptRecipientKeyring: (edk) => strict(edk.providerId === 'aws-kms' ? 'aws' : 'gcp'),
    });
    expect(inspect(completed.message).encryptedDataKeys.map((e) => e.providerId)).toEqual([
      'aws-kms',
      'gcp-kms',
      'azure-kv',
    ]);
    const opened = await decrypt(completed.message, { keyring: strict('azure'), encryptionContext });
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  });
});

describe('recipient order and a generator that is down', () => {
  it('tries recipients in decryptOrder: Azure first opens the message and no other cloud is called', async () => {
    const [aws, gcp, azure] = [strict('aws'), strict('gcp'), strict('azure')];
    const keyring = new MultiKeyring({
      generator: aws,
      children: [gcp, azure],
      decryptOrder: [azure, gcp, aws],
    });
    const result = await decrypt(message, { keyring, encryptionContext });
    expect(result.encryptedDataKey.providerId).toBe('azure-kv');
    expect(unwrapCalls()).toEqual({ aws: 0, gcp: 0, azure: 1 });
  });

  it('encrypts without AWS when it is down, with generateLocally and minRecipients: 2', async () => {
    bed.control.injectFault({ cloud: 'aws', kind: 'unavailable' });
    // By default the generator must create the data key, so AWS down fails any policy.
    const generated = await failure(
      encrypt(plaintext, { keyring: allThree({ minRecipients: 2 }), encryptionContext }),
    );
    expect(generated.code).toBe(ErrorCodes.Unavailable);

    const keyring = new MultiKeyring({
      generator: strict('aws'),
      children: [strict('gcp'), strict('azure')],
      minRecipients: 2,
      generateLocally: true,
    });
    const written = await encrypt(plaintext, { keyring, encryptionContext });
    expect(written.missingRecipients.map((f) => [f.recipient, f.error.code])).toEqual([
      [`aws-kms ${keys.aws}`, ErrorCodes.Unavailable],
    ]);
    expect(inspect(written.message).encryptedDataKeys.map((e) => e.providerId)).toEqual([
      'gcp-kms',
      'azure-kv',
    ]);
    for (const cloud of ['gcp', 'azure'] as const) {
      const opened = await decrypt(written.message, { keyring: strict(cloud), encryptionContext });
      expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    }
  });
});

describe('encryption context with each cloud', () => {
  it.each(CLOUDS)(
    '%s: a stored pair with another value is ERR_CONTEXT_MISMATCH, before any KMS call',
    async (cloud) => {
      const error = await failure(
        decrypt(message, {
          keyring: strict(cloud),
          encryptionContext: { ...encryptionContext, tenant: 'evil' },
        }),
      );
      expect(error.code).toBe(ErrorCodes.ContextMismatch);
      expect(unwrapCalls()).toEqual({ aws: 0, gcp: 0, azure: 0 });
    },
  );

  // A required pair is not stored: the reader supplies it. AWS and Google bind the context to the
  // EDK (KMS encryption context / AAD), so the KMS itself refuses; Azure's RSA wrap takes no AAD,
  // so the key opens and the message's header tag refuses instead.
  const wrongRequired: Record<Cloud, (error: PolykmsError) => void> = {
    aws: (error) => expectKmsRefused(error, 'aws-kms'),
    gcp: (error) => expectKmsRefused(error, 'gcp-kms'),
    azure: (error) => expect(error.code).toBe(ErrorCodes.DecryptionFailed),
  };
  function expectKmsRefused(error: PolykmsError, provider: string) {
    expect(error.code).toBe(ErrorCodes.NoDecryptableKey);
    const { failures } = error as NoDecryptableKeyError;
    expect(failures.map((f) => [f.error.provider, f.error.code])).toEqual([
      [provider, ErrorCodes.InvalidCiphertext],
    ]);
  }

  it.each(CLOUDS)('%s: a wrong value for a required (unstored) pair is refused', async (cloud) => {
    const written = await encrypt(plaintext, {
      keyring: allThree(),
      encryptionContext: { ...encryptionContext, order: '42' },
      requiredContextKeys: ['order'],
    });
    expect(inspect(written.message).encryptionContext).toEqual(encryptionContext);
    const right = await decrypt(written.message, {
      keyring: strict(cloud),
      encryptionContext: { order: '42' },
    });
    expect(Buffer.from(right.plaintext).equals(plaintext)).toBe(true);

    bed.control.resetCounters();
    const error = await failure(
      decrypt(written.message, { keyring: strict(cloud), encryptionContext: { order: '43' } }),
    );
    wrongRequired[cloud](error);
    expect(unwrapCalls()[cloud]).toBe(1);
  });
});

describe('other Encryption SDKs skip the EDKs they do not know', () => {
  const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const esdkClients: KMS[] = [];
  const clientProvider = (region: string) => {
    const client = new KMS({ ...bed.emulator.aws.clientConfig, region });
    esdkClients.push(client);
    return client;
  };
  afterAll(() => {
    for (const client of esdkClients) client.destroy();
  });

  it('@aws-crypto/client-node opens the aws-kms EDK of a message that also has GCP and Azure EDKs', async () => {
    // Google generates and AWS comes last, so the ESDK must pass over two foreign EDKs first.
    const { message: written } = await encrypt(plaintext, {
      keyring: new MultiKeyring({ generator: strict('gcp'), children: [strict('azure'), strict('aws')] }),
      encryptionContext,
    });
    expect(inspect(written).encryptedDataKeys.map((e) => e.providerId)).toEqual([
      'gcp-kms',
      'azure-kv',
      'aws-kms',
    ]);
    const opened = await esdk.decrypt(new KmsKeyringNode({ keyIds: [keys.aws], clientProvider }), written);
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(opened.messageHeader.encryptionContext).toMatchObject(encryptionContext);
    expect(opened.messageHeader.encryptedDataKeys.map((e) => e.providerId)).toEqual([
      'gcp-kms',
      'azure-kv',
      'aws-kms',
    ]);
    expect(unwrapCalls()).toEqual({ aws: 1, gcp: 0, azure: 0 });
  });

  it('@aws-crypto/client-node in discovery mode opens the shared three-cloud message', async () => {
    const discoveryKeyring = new KmsKeyringNode({
      discovery: true,
      discoveryFilter: { partition: 'aws', accountIDs: [bed.emulator.aws.accountId] },
      clientProvider,
    });
    const opened = await esdk.decrypt(discoveryKeyring, message);
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  });
});
