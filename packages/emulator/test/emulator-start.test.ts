import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type RunningEmulator, isLoopback, startEmulator } from '../src/start.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

let dir: string;
const running: RunningEmulator[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-start-test-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0]) {
  const emulator = await startEmulator({ clouds: ['gcp'], ...options });
  running.push(emulator);
  return emulator;
}

async function createKey(emulator: RunningEmulator, client: KeyManagementServiceClient): Promise<string> {
  const parent = client.locationPath(emulator.gcp.projectId, emulator.gcp.location);
  const [ring] = await client.createKeyRing({ parent, keyRingId: 'ring', keyRing: {} });
  const [key] = await client.createCryptoKey({
    parent: ring.name as string,
    cryptoKeyId: 'key',
    cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
  });
  return key.name as string;
}

describe('startEmulator', () => {
  test('serves only the clouds asked for, and says so when another is read', async () => {
    const emulator = await start({});
    expect(emulator.clouds).toEqual(['gcp']);
    expect(emulator.gcp.port).toBeGreaterThan(0);
    expect(() => emulator.aws).toThrow(/not serving aws/);
    expect(() => emulator.azure).toThrow(/not serving azure/);
  });

  test('refuses a non-loopback host unless allowRemote is set', async () => {
    await expect(startEmulator({ clouds: ['gcp'], host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('127.0.0.1.example.com')).toBe(false);
  });

  test('exports the variables that point the GCP client at it', async () => {
    const emulator = await start({});
    expect(emulator.env).toEqual({
      POLYKMS_GCP_KMS_ENDPOINT: `127.0.0.1:${emulator.gcp.port}`,
      POLYKMS_GCP_PROJECT: emulator.gcp.projectId,
      POLYKMS_GCP_LOCATION: emulator.gcp.location,
      METADATA_SERVER_DETECTION: 'none',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: `${emulator.gcp.restUrl}/`,
      CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: expect.stringMatching(/^\/.*gcloud-token$/),
      CLOUDSDK_CORE_PROJECT: emulator.gcp.projectId,
      POLYKMS_EMULATOR_ADMIN_URL: emulator.adminUrl,
      POLYKMS_EMULATOR_ADMIN_TOKEN: emulator.adminToken,
    });
  });

  test('exports the Azure variables and a CA file for NODE_EXTRA_CA_CERTS, removed at stop', async () => {
    const emulator = await startEmulator({ clouds: ['gcp', 'azure'] });
    const caFile = emulator.env['NODE_EXTRA_CA_CERTS'] as string;
    try {
      expect(emulator.env['AZURE_KEYVAULT_URL']).toBe(emulator.azure.vaultUrl);
      expect(emulator.env['IDENTITY_ENDPOINT']).toBe(emulator.azure.identityEndpoint);
      expect(emulator.env['IDENTITY_HEADER']).toBe(emulator.azure.identityHeader);
      expect(await readFile(caFile, 'utf8')).toBe(emulator.azure.caCertPem);
      expect(emulator.env['POLYKMS_GCP_KMS_ENDPOINT']).toBe(`127.0.0.1:${emulator.gcp.port}`);
      // Plaintext gRPC off loopback is allowed only when the emulator is advertised there.
      expect(emulator.env).not.toHaveProperty('POLYKMS_GCP_KMS_EMULATOR_REMOTE');
    } finally {
      await emulator.stop();
    }
    await expect(readFile(caFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('with a state file, keeps the Azure certificate and its file path across restarts', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await start({ clouds: ['azure'], stateFile });
    const { caCertPem } = first.azure;
    const caFile = first.env['NODE_EXTRA_CA_CERTS'];
    expect(caFile).toBe(`${stateFile}.azure-cert.pem`);
    await first.stop();
    const second = await start({ clouds: ['azure'], stateFile });
    expect(second.azure.caCertPem).toBe(caCertPem);
    expect(second.env['NODE_EXTRA_CA_CERTS']).toBe(caFile);
    expect(await readFile(caFile as string, 'utf8')).toBe(caCertPem);
  });

  test('serves all three clouds by default and exports the variables of every SDK', async () => {
    const emulator = await startEmulator();
    running.push(emulator);
    expect(emulator.clouds).toEqual(['aws', 'gcp', 'azure']);
    expect(emulator.env).toMatchObject({
      AWS_ENDPOINT_URL_KMS: emulator.aws.endpoint,
      AWS_REGION: emulator.aws.region,
      AWS_ACCESS_KEY_ID: emulator.aws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: emulator.aws.credentials.secretAccessKey,
      POLYKMS_GCP_KMS_ENDPOINT: `127.0.0.1:${emulator.gcp.port}`,
      METADATA_SERVER_DETECTION: 'none',
      AZURE_KEYVAULT_URL: emulator.azure.vaultUrl,
      IDENTITY_ENDPOINT: emulator.azure.identityEndpoint,
      IDENTITY_HEADER: emulator.azure.identityHeader,
      NODE_EXTRA_CA_CERTS: expect.stringMatching(/^\/.*azure-cert\.pem$/),
      POLYKMS_EMULATOR_ADMIN_URL: emulator.adminUrl,
    });
  });

  test('restarts all three clouds from one state file', async () => {
    const stateFile = join(dir, 'all.json');
    const first = await startEmulator({ stateFile });
    await first.stop();
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(Object.keys(saved.clouds).sort()).toEqual(['aws', 'azure', 'gcp']);
    const second = await start({ clouds: ['aws', 'gcp', 'azure'], stateFile });
    expect(second.clouds).toHaveLength(3);
  });

  test('frees its ports on stop, so a fixed port can be reused at once', async () => {
    const first = await startEmulator({ clouds: ['gcp'], adminPort: false });
    const port = first.gcp.port;
    await first.stop();
    const second = await start({ ports: { gcp: port }, adminPort: false });
    expect(second.gcp.port).toBe(port);
    expect(second.adminUrl).toBeUndefined();
  });

  test('persists key state to the state file and a restarted emulator decrypts old ciphertexts', async () => {
    const stateFile = join(dir, 'nested', 'state.json');
    const first = await start({ stateFile });
    const client = new KeyManagementServiceClient(first.gcp.clientOptions);
    const key = await createKey(first, client);
    const [enc] = await client.encrypt({ name: key, plaintext: Buffer.from('survives') });
    await client.close();
    await first.stop();
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.format).toBe('polykms-emulator-state');
    expect(Object.keys(saved.clouds)).toEqual(['gcp']);

    const second = await start({ stateFile });
    const again = new KeyManagementServiceClient(second.gcp.clientOptions);
    try {
      const [dec] = await again.decrypt({ name: key, ciphertext: enc.ciphertext });
      expect(Buffer.from(dec.plaintext as Uint8Array).toString()).toBe('survives');
    } finally {
      await again.close();
    }
  });

  test('saves after a change without waiting for stop (debounced)', async () => {
    const stateFile = join(dir, 'state.json');
    const emulator = await start({ stateFile });
    const client = new KeyManagementServiceClient(emulator.gcp.clientOptions);
    await createKey(emulator, client);
    await client.close();
    await emulator.saveState();
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.clouds.gcp.cryptoKeys).toHaveLength(1);
  });

  test('keeps the saved state of clouds it does not serve this time', async () => {
    const stateFile = join(dir, 'state.json');
    const foreign = { keys: ['kept as it is'] };
    await writeFile(
      stateFile,
      JSON.stringify({ format: 'polykms-emulator-state', version: 1, clouds: { aws: foreign } }),
    );
    const emulator = await start({ stateFile });
    const client = new KeyManagementServiceClient(emulator.gcp.clientOptions);
    await createKey(emulator, client);
    await client.close();
    await emulator.stop();
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.clouds.aws).toEqual(foreign);
    expect(saved.clouds.gcp.cryptoKeys).toHaveLength(1);
  });

  test('refuses to start on a state file it cannot read, rather than overwrite it', async () => {
    const stateFile = join(dir, 'state.json');
    await writeFile(stateFile, '{"not":"ours"}');
    await expect(startEmulator({ clouds: ['gcp'], stateFile })).rejects.toThrow(
      /not a polykms emulator state file/,
    );
    await writeFile(stateFile, 'garbage');
    await expect(startEmulator({ clouds: ['gcp'], stateFile })).rejects.toThrow(/not valid JSON/);
    expect(await readFile(stateFile, 'utf8')).toBe('garbage');
  });
});
