import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DefaultAzureCredential } from '@azure/identity';
import { KeyClient } from '@azure/keyvault-keys';
import { AwsKmsKeyring } from '@polykms/aws-kms';
import { AzureKeyVaultKeyring } from '@polykms/azure-keyvault';
import { type RunningEmulator, startEmulator } from '@polykms/emulator';
import { MultiKeyring, decrypt, encrypt, inspect } from '@polykms/envelope';
import { GcpKmsKeyring, defaultClient } from '@polykms/gcp-kms';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The official clients configured from the emulator's exported variables alone, as a user's CI
// would after `. ./kms.env`: no endpoint, region, credential or port in code.

/** Variables of the three SDKs that could send a client elsewhere; cleared for these tests. */
const FOREIGN = /^(AWS_|AZURE_|IDENTITY_|MSI_|GOOGLE_|GCLOUD_|CLOUDSDK_|POLYKMS_|METADATA_SERVER_DETECTION$)/;

let emulator: RunningEmulator;
let saved: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator?.stop());

describe('in this process, with the exported variables set', () => {
  beforeEach(() => {
    saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (FOREIGN.test(name)) delete process.env[name];
    Object.assign(process.env, emulator.env);
  });
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('every SDK and every polykms keyring made without a client reaches the emulator', async () => {
    const env = process.env as Record<string, string>;
    // NODE_EXTRA_CA_CERTS is read only when Node starts, so in-process the certificate it names is
    // passed as tlsOptions.ca (the emulator README's other way); the separate process below uses
    // the variable itself. The challenge-resource check stays on: the emulator's challenge passes it.
    const azureOptions = {
      tlsOptions: { ca: readFileSync(env['NODE_EXTRA_CA_CERTS'] as string, 'utf8') },
    };

    const kms = new KMSClient({});
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    kms.destroy();
    const gcp = defaultClient();
    const parent = gcp.locationPath(
      env['POLYKMS_GCP_PROJECT'] as string,
      env['POLYKMS_GCP_LOCATION'] as string,
    );
    const [ring] = await gcp.createKeyRing({ parent, keyRingId: 'env-only', keyRing: {} });
    const [cryptoKey] = await gcp.createCryptoKey({
      parent: ring.name as string,
      cryptoKeyId: 'env-only',
      cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
    });
    await gcp.close();
    const vault = new KeyClient(
      env['AZURE_KEYVAULT_URL'] as string,
      new DefaultAzureCredential(),
      azureOptions,
    );
    await vault.createRsaKey('env-only', { keySize: 2048 });

    const keyrings = {
      aws: new AwsKmsKeyring({ keyId: KeyMetadata?.Arn as string }),
      gcp: new GcpKmsKeyring({ keyName: cryptoKey.name as string }),
      azure: new AzureKeyVaultKeyring({
        keyId: `${env['AZURE_KEYVAULT_URL']}/keys/env-only`,
        clientOptions: azureOptions,
      }),
    };
    const plaintext = Buffer.from('configured by the environment alone');
    const { message } = await encrypt(plaintext, {
      keyring: new MultiKeyring({ generator: keyrings.aws, children: [keyrings.gcp, keyrings.azure] }),
    });
    expect(inspect(message).encryptedDataKeys.map((e) => e.providerId)).toEqual([
      'aws-kms',
      'gcp-kms',
      'azure-kv',
    ]);
    for (const keyring of Object.values(keyrings)) {
      expect(Buffer.from((await decrypt(message, { keyring })).plaintext).equals(plaintext)).toBe(true);
    }

    const count = (cloud: 'aws' | 'gcp' | 'azure', operation: string) =>
      emulator.control.calls({ cloud, operation }).total;
    expect([count('aws', 'CreateKey'), count('aws', 'GenerateDataKey'), count('aws', 'Decrypt')]).toEqual([
      1, 1, 1,
    ]);
    expect([count('gcp', 'CreateCryptoKey'), count('gcp', 'Encrypt'), count('gcp', 'Decrypt')]).toEqual([
      1, 1, 1,
    ]);
    expect([count('azure', 'create'), count('azure', 'wrapKey'), count('azure', 'unwrapKey')]).toEqual([
      1, 1, 1,
    ]);
  });
});

describe('in a separate process started with the exported variables', () => {
  const script = fileURLToPath(new URL('./support/env-only-client.mjs', import.meta.url));
  /** Runs the script with only PATH and `env`, nothing from this process's environment. */
  async function run(env: Record<string, string>) {
    const { stdout } = await promisify(execFile)(process.execPath, [script], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      timeout: 30_000,
    });
    return JSON.parse(stdout) as Record<'aws' | 'gcp' | 'azure', { roundTrip?: boolean; error?: string }>;
  }

  it('the unchanged AWS, Google and Azure SDKs round-trip a key, trusting the vault through NODE_EXTRA_CA_CERTS', async () => {
    emulator.control.resetCounters();
    const report = await run({ ...emulator.env });
    expect(report.aws).toMatchObject({ roundTrip: true });
    expect(report.gcp).toMatchObject({ roundTrip: true });
    expect(report.azure).toMatchObject({ roundTrip: true });
    expect(emulator.control.calls({ cloud: 'gcp', operation: 'Decrypt' }).total).toBe(1);
    expect(emulator.control.calls({ cloud: 'aws', operation: 'Decrypt' }).total).toBe(1);
    expect(emulator.control.calls({ cloud: 'azure', operation: 'unwrapKey' }).total).toBe(1);
  });

  it('without NODE_EXTRA_CA_CERTS the vault certificate is refused (so the variable is what made it work)', async () => {
    const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = emulator.env;
    emulator.control.resetCounters();
    const report = await run(rest);
    expect(report.aws).toMatchObject({ roundTrip: true });
    expect(report.azure.error).toMatch(
      /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/,
    );
    expect(emulator.control.calls({ cloud: 'azure' }).total).toBe(0);
  });
});

/** Whether a command runs here; tests of a client whose binary is absent are skipped, saying so. */
function runs(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 60_000 }).status === 0;
}
const hasBoto3 = runs('python3', ['-c', 'import boto3']);
const hasAwsCli = runs('aws', ['--version']);
const hasGcloud = runs('gcloud', ['--version']);

describe('non-Node clients, each a child process with only the exported variables', () => {
  let home: string;
  /** PATH, a throwaway HOME (no user config), pyenv's own variables (its shims need them), the export. */
  const childEnv = () => ({
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    ...(process.env['PYENV_ROOT'] ? { PYENV_ROOT: process.env['PYENV_ROOT'] } : {}),
    ...(process.env['PYENV_VERSION'] ? { PYENV_VERSION: process.env['PYENV_VERSION'] } : {}),
    ...(existsSync(join(homedir(), '.pyenv')) && !process.env['PYENV_ROOT']
      ? { PYENV_ROOT: join(homedir(), '.pyenv') }
      : {}),
    CLOUDSDK_CONFIG: join(home, 'gcloud'),
    ...emulator.env,
  });
  const run = async (command: string, args: readonly string[]) =>
    (await promisify(execFile)(command, [...args], { env: childEnv(), timeout: 90_000, cwd: home })).stdout;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'polykms-env-only-'));
    emulator.control.resetCounters();
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it.skipIf(!hasBoto3)(
    'boto3 (skipped when python3 has no boto3) round-trips through a seeded key',
    async () => {
      const { uri } = await emulator.createKey({ cloud: 'aws', name: 'boto3' });
      const script = [
        'import boto3, os',
        "kms = boto3.client('kms')",
        "blob = kms.encrypt(KeyId='alias/boto3', Plaintext=b'from boto3')['CiphertextBlob']",
        'out = kms.decrypt(CiphertextBlob=blob)',
        "print(out['KeyId'], out['Plaintext'].decode())",
      ].join('\n');
      const stdout = await run('python3', ['-c', script]);
      expect(stdout.trim()).toBe(`${uri.slice('aws-kms://'.length)} from boto3`);
      expect(emulator.control.calls({ cloud: 'aws', operation: 'Decrypt' }).total).toBe(1);
    },
  );

  it.skipIf(!hasAwsCli)('the aws CLI (skipped when absent) round-trips through a seeded key', async () => {
    await emulator.createKey({ cloud: 'aws', name: 'aws-cli' });
    await writeFile(join(home, 'plain.txt'), 'from the aws CLI');
    const blob = await run('aws', [
      'kms',
      'encrypt',
      '--key-id',
      'alias/aws-cli',
      '--plaintext',
      'fileb://plain.txt',
      '--query',
      'CiphertextBlob',
      '--output',
      'text',
    ]);
    await writeFile(join(home, 'blob.bin'), Buffer.from(blob.trim(), 'base64'));
    const plain = await run('aws', [
      'kms',
      'decrypt',
      '--ciphertext-blob',
      'fileb://blob.bin',
      '--query',
      'Plaintext',
      '--output',
      'text',
    ]);
    expect(Buffer.from(plain.trim(), 'base64').toString()).toBe('from the aws CLI');
    expect(emulator.control.calls({ cloud: 'aws', operation: 'Decrypt' }).total).toBe(1);
  });

  it.skipIf(!hasGcloud)(
    'gcloud kms encrypt and decrypt (skipped when absent) go through the REST/JSON front door',
    async () => {
      await emulator.createKey({ cloud: 'gcp', name: 'gcloud/orders' });
      await writeFile(join(home, 'plain.txt'), 'from gcloud');
      const key = ['--location', 'global', '--keyring', 'gcloud', '--key', 'orders'];
      await run('gcloud', [
        'kms',
        'encrypt',
        ...key,
        '--plaintext-file',
        'plain.txt',
        '--ciphertext-file',
        'c.bin',
      ]);
      await run('gcloud', [
        'kms',
        'decrypt',
        ...key,
        '--ciphertext-file',
        'c.bin',
        '--plaintext-file',
        'out.txt',
      ]);
      expect(await readFile(join(home, 'out.txt'), 'utf8')).toBe('from gcloud');
      const count = (operation: string) => emulator.control.calls({ cloud: 'gcp', operation }).total;
      expect([count('Encrypt'), count('Decrypt')]).toEqual([1, 1]);
    },
    120_000,
  );
});
