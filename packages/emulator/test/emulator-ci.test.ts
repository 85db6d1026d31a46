import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpsRequest, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { generate } from 'selfsigned';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runEmulatorCommand } from '../src/command.js';
import { EmulatorControl, MAX_CALL_RECORDS, OVERFLOW_KEY_ID } from '../src/control.js';
import { readEnvFile } from '../src/env-file.js';
import { loadSeedFile } from '../src/seed.js';
import { type RunningEmulator, startEmulator } from '../src/start.js';
import { waitUntilReady } from '../src/wait.js';

let dir: string;
const running: RunningEmulator[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-ci-test-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startEmulator>[0]) {
  const emulator = await startEmulator(options);
  running.push(emulator);
  return emulator;
}

/** Whether a TLS client that trusts only `ca` accepts `server` presenting `certPem` for `servername`. */
async function accepted(ca: string, certPem: string, keyPem: string, servername: string): Promise<boolean> {
  const server = createHttpsServer({ cert: certPem, key: keyPem }, (_, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<boolean>((resolve) => {
      const req = httpsRequest({ host: '127.0.0.1', port, servername, ca, path: '/' }, (response) => {
        response.resume();
        resolve(true);
      });
      req.setHeader('host', servername);
      req.on('error', () => resolve(false));
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the Azure TLS identity', () => {
  test('is a leaf naming only the advertised host, whose key signs nothing a client trusts', async () => {
    const stateFile = join(dir, 'state.json');
    const emulator = await start({ clouds: ['azure'], stateFile });
    const certificate = new X509Certificate(emulator.azure.caCertPem);
    expect(certificate.ca).toBe(false);
    expect(certificate.subjectAltName).toBe('IP Address:127.0.0.1');
    // A certificate for a real KMS host signed with the emulator's key is refused by a client that
    // trusts the emulator's certificate (as NODE_EXTRA_CA_CERTS makes every Node process do).
    const keyPem = await readFile(`${stateFile}.azure-key.pem`, 'utf8');
    const forged = await generate([{ name: 'commonName', value: 'kms.us-east-1.amazonaws.com' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: keyPem, cert: emulator.azure.caCertPem },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'kms.us-east-1.amazonaws.com' }] },
      ],
    });
    const ca = emulator.azure.caCertPem;
    expect(await accepted(ca, forged.cert, forged.private, 'kms.us-east-1.amazonaws.com')).toBe(false);
    // The control: the same client accepts the emulator's own certificate.
    expect(await accepted(ca, ca, keyPem, '127.0.0.1')).toBe(true);
  });

  test('keeps its private key out of the state file, in a 0600 file beside it', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await start({ clouds: ['azure'], stateFile });
    await first.createKey({ cloud: 'azure', name: 'k' });
    await first.saveState();
    const state = await readFile(stateFile, 'utf8');
    expect(state).toContain('"k"');
    expect(state).not.toContain('PRIVATE KEY');
    expect((await stat(`${stateFile}.azure-key.pem`)).mode & 0o777).toBe(0o600);
  });

  test('with a relative state path, exports an absolute certificate path', async () => {
    const stateFile = relative(process.cwd(), join(dir, 'state.json'));
    const emulator = await start({ clouds: ['azure'], stateFile });
    expect(isAbsolute(emulator.env['NODE_EXTRA_CA_CERTS'] as string)).toBe(true);
  });

  test('with a state file, keeps IDENTITY_HEADER, and takes the fixed identity port', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await start({ clouds: ['azure'], stateFile });
    const header = first.env['IDENTITY_HEADER'];
    await first.stop();
    const probe = await start({ clouds: ['aws'] });
    const freePort = Number(new URL(probe.aws.endpoint).port);
    await probe.stop();
    const second = await start({ clouds: ['azure'], stateFile, identityPort: freePort });
    expect(second.env['IDENTITY_HEADER']).toBe(header);
    expect(second.env['IDENTITY_ENDPOINT']).toBe(`http://127.0.0.1:${freePort}/msi/token`);
  });
});

describe('the admin endpoint', () => {
  const call = (emulator: RunningEmulator, path: string, init: RequestInit = {}) =>
    fetch(`${emulator.adminUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${emulator.adminToken}`, ...init.headers },
    });

  test('refuses a request without the token, with a wrong one, or from a web page', async () => {
    const emulator = await start({ clouds: ['aws'] });
    expect((await fetch(`${emulator.adminUrl}/health`)).status).toBe(401);
    expect((await call(emulator, '/health', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await call(emulator, '/health')).status).toBe(200);
    const crossOrigin = await call(emulator, '/faults', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: JSON.stringify({ cloud: 'aws', kind: 'drop' }),
    });
    expect(crossOrigin.status).toBe(403);
    expect(emulator.control.faults()).toEqual([]);
  });

  test('refuses a Host header that is not its own (DNS rebinding)', async () => {
    const emulator = await start({ clouds: ['aws'] });
    const url = new URL(emulator.adminUrl as string);
    const status = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: '/health',
            headers: { host: `attacker.example:${url.port}`, authorization: `Bearer ${emulator.adminToken}` },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(status).toBe(403);
  });

  test('refuses a fault for an operation the cloud does not have, and lists active faults', async () => {
    const emulator = await start({ clouds: ['gcp'] });
    const post = (body: unknown) => call(emulator, '/faults', { method: 'POST', body: JSON.stringify(body) });
    const misspelt = await post({ cloud: 'gcp', kind: 'throttle', operation: 'encrypt' });
    expect(misspelt.status).toBe(400);
    expect(((await misspelt.json()) as { error: string }).error).toMatch(/gcp has no operation "encrypt"/);
    const { id } = (await (
      await post({ cloud: 'gcp', kind: 'throttle', operation: 'Encrypt', count: 2 })
    ).json()) as {
      id: number;
    };
    expect(await (await call(emulator, '/faults')).json()).toEqual({
      faults: [{ id, cloud: 'gcp', kind: 'throttle', operation: 'Encrypt', count: 2, remaining: 2 }],
    });
  });

  test('creates a key and exports its URI', async () => {
    const emulator = await start({ clouds: ['aws'] });
    const response = await call(emulator, '/keys', {
      method: 'POST',
      body: JSON.stringify({ cloud: 'aws', name: 'orders' }),
    });
    const key = (await response.json()) as { uri: string; variable: string };
    expect(key.variable).toBe('POLYKMS_KEY_AWS_ORDERS');
    expect(key.uri).toMatch(/^aws-kms:\/\/arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    expect(emulator.env['POLYKMS_KEY_AWS_ORDERS']).toBe(key.uri);
    const unknown = await call(emulator, '/keys', {
      method: 'POST',
      body: JSON.stringify({ cloud: 'gcp', name: 'a/b' }),
    });
    expect(unknown.status).toBe(400);
  });
});

describe('seeded keys', () => {
  test('are created in each cloud, usable through its client, and found again after a restart', async () => {
    const stateFile = join(dir, 'state.json');
    const createKeys = [
      { cloud: 'aws', name: 'orders' },
      { cloud: 'gcp', name: 'app/orders' },
      { cloud: 'azure', name: 'orders' },
    ] as const;
    const first = await start({ stateFile, createKeys });
    const uris = first.keys.map((k) => k.uri);
    expect(first.env).toMatchObject({
      POLYKMS_KEY_AWS_ORDERS: expect.stringMatching(/^aws-kms:\/\/arn:aws:kms:/),
      POLYKMS_KEY_GCP_APP_ORDERS:
        'gcp-kms://projects/polykms-emulator/locations/global/keyRings/app/cryptoKeys/orders',
      POLYKMS_KEY_AZURE_ORDERS: `azure-kv://127.0.0.1:${new URL(first.azure.vaultUrl).port}/keys/orders`,
    });
    const kms = new KMSClient(first.aws.clientConfig);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }));
    expect(`aws-kms://${described.KeyMetadata?.Arn}`).toBe(uris[0]);
    const gcp = new KeyManagementServiceClient(first.gcp.clientOptions);
    const [encrypted] = await gcp.encrypt({
      name: (uris[1] as string).slice('gcp-kms://'.length),
      plaintext: Buffer.from('x'),
    });
    expect(encrypted.ciphertext).toBeDefined();
    await gcp.close();
    const azurePort = Number(new URL(first.azure.vaultUrl).port);
    await first.stop();

    const second = await start({ stateFile, createKeys, ports: { azure: azurePort } });
    expect(second.keys.map((k) => k.uri)).toEqual(uris);
    const again = new KMSClient(second.aws.clientConfig);
    await again.send(new CreateKeyCommand({}));
    expect((await again.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }))).KeyMetadata?.Arn).toBe(
      described.KeyMetadata?.Arn,
    );
  });

  test('refuses bad names with the syntax each cloud expects', async () => {
    await expect(start({ clouds: ['gcp'], createKeys: [{ cloud: 'gcp', name: 'no-ring' }] })).rejects.toThrow(
      /RING\/KEY/,
    );
    await expect(start({ clouds: ['aws'], createKeys: [{ cloud: 'azure', name: 'k' }] })).rejects.toThrow(
      /not serving azure/,
    );
  });

  test('a seed file is read as YAML or JSON and validated with a message naming the field', async () => {
    const yamlFile = join(dir, 'seed.yaml');
    await writeFile(yamlFile, 'aws: [orders]\ngcp:\n  - app/orders\n');
    expect(await loadSeedFile(yamlFile)).toEqual([
      { cloud: 'aws', name: 'orders' },
      { cloud: 'gcp', name: 'app/orders' },
    ]);
    const jsonFile = join(dir, 'seed.json');
    await writeFile(jsonFile, JSON.stringify({ azure: ['vault-key'] }));
    expect(await loadSeedFile(jsonFile)).toEqual([{ cloud: 'azure', name: 'vault-key' }]);
    await writeFile(jsonFile, JSON.stringify({ oracle: ['x'] }));
    await expect(loadSeedFile(jsonFile)).rejects.toThrow(/seed\.json: top level: .*oracle/);
    await writeFile(jsonFile, JSON.stringify({ aws: 'orders' }));
    await expect(loadSeedFile(jsonFile)).rejects.toThrow(/seed\.json: aws: /);
  });
});

describe('for CI', () => {
  test('the env file is removed at start and written, complete, once ready; wait reads it', async () => {
    const envFile = join(dir, 'kms.env');
    // A previous run's file, whose admin endpoint is gone: never taken for this run's.
    await writeFile(
      envFile,
      "export AWS_ENDPOINT_URL_KMS='http://127.0.0.1:1'\nexport POLYKMS_EMULATOR_ADMIN_URL='http://127.0.0.1:1'\n",
    );
    const waiting = waitUntilReady(envFile, 20_000);
    const emulator = await runEmulatorCommand(
      ['--clouds', 'aws', '--export-file', envFile, '--create-key', 'aws:orders'],
      { stdout() {}, stderr() {} },
    );
    running.push(emulator);
    const env = await waiting;
    expect(env).toEqual(emulator.env);
    expect(env['POLYKMS_KEY_AWS_ORDERS']).toMatch(/^aws-kms:/);
    expect(await readEnvFile(envFile)).toEqual(emulator.env);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
  });

  test('wait gives up after its timeout with the reason', async () => {
    await expect(waitUntilReady(join(dir, 'never.env'), 300)).rejects.toThrow(
      /not ready within 300 ms.*does not exist/,
    );
  });
});

describe('--allow-remote and --advertise-host', () => {
  test('the advertised name goes into URLs, key URIs and the certificate; admin stays on loopback', async () => {
    const emulator = await start({
      advertisedHost: 'kms.ci.internal',
      createKeys: [{ cloud: 'azure', name: 'orders' }],
    });
    const azurePort = new URL(emulator.azure.vaultUrl).port;
    expect(emulator.env).toMatchObject({
      AWS_ENDPOINT_URL_KMS: expect.stringMatching(/^http:\/\/kms\.ci\.internal:\d+$/),
      AZURE_KEYVAULT_URL: `https://kms.ci.internal:${azurePort}`,
      IDENTITY_ENDPOINT: expect.stringMatching(/^http:\/\/kms\.ci\.internal:\d+\/msi\/token$/),
      POLYKMS_GCP_KMS_ENDPOINT: expect.stringMatching(/^kms\.ci\.internal:\d+$/),
      POLYKMS_GCP_KMS_EMULATOR_REMOTE: '1',
      POLYKMS_KEY_AZURE_ORDERS: `azure-kv://kms.ci.internal:${azurePort}/keys/orders`,
      POLYKMS_EMULATOR_ADMIN_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(new X509Certificate(emulator.azure.caCertPem).subjectAltName).toBe('DNS:kms.ci.internal');
  });

  test('an admin endpoint off loopback needs allowRemote too', async () => {
    await expect(start({ clouds: ['aws'], adminHost: '0.0.0.0' })).rejects.toThrow(
      /refusing to bind 0\.0\.0\.0/,
    );
  });
});

describe('call counters', () => {
  test('keep at most MAX_CALL_RECORDS distinct keys, counting the rest under one record', () => {
    const control = new EmulatorControl();
    for (let i = 0; i < MAX_CALL_RECORDS + 500; i += 1) control.admit('aws', 'Decrypt', `key-${i}`);
    const { records, total } = control.calls({ cloud: 'aws' });
    expect(total).toBe(MAX_CALL_RECORDS + 500);
    expect(records).toHaveLength(MAX_CALL_RECORDS + 1);
    expect(records.find((r) => r.keyId === OVERFLOW_KEY_ID)?.count).toBe(500);
  });
});
