import { KeyManagementServiceClient } from '@google-cloud/kms';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/start.js';
import { statusOf } from './gcp-harness.js';

let emulator: RunningEmulator;
let client: KeyManagementServiceClient;
let key: string;
beforeAll(async () => {
  emulator = await startEmulator({ clouds: ['gcp'] });
  client = new KeyManagementServiceClient(emulator.gcp.clientOptions);
  const parent = client.locationPath(emulator.gcp.projectId, emulator.gcp.location);
  const [ring] = await client.createKeyRing({ parent, keyRingId: 'admin', keyRing: {} });
  const [created] = await client.createCryptoKey({
    parent: ring.name as string,
    cryptoKeyId: 'k',
    cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
  });
  key = created.name as string;
});
afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});
afterEach(() => emulator.control.reset());

async function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${emulator.adminToken}`, ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const plaintext = Buffer.from('x');
const noRetry = { retry: null };

test('binds the admin endpoint to loopback', () => {
  expect(emulator.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('answers health and the export variables', async () => {
  expect((await admin('GET', '/health')).body).toEqual({ ok: true });
  expect((await admin('GET', '/env')).body).toEqual(emulator.env);
});

test('denies and allows an operation over HTTP', async () => {
  expect((await admin('POST', '/deny', { cloud: 'gcp', operation: 'Encrypt', keyId: 'k' })).status).toBe(200);
  expect((await statusOf(client.encrypt({ name: key, plaintext }, noRetry))).code).toBe(
    status.PERMISSION_DENIED,
  );
  await admin('POST', '/allow', { cloud: 'gcp', operation: 'Encrypt' });
  await expect(client.encrypt({ name: key, plaintext })).resolves.toBeDefined();
});

test('injects a fault, then clears it by id', async () => {
  const injected = await admin('POST', '/faults', { cloud: 'gcp', kind: 'throttle', operation: 'Encrypt' });
  expect(injected.body['id']).toEqual(expect.any(Number));
  expect((await statusOf(client.encrypt({ name: key, plaintext }, noRetry))).code).toBe(
    status.RESOURCE_EXHAUSTED,
  );
  expect((await statusOf(client.encrypt({ name: key, plaintext }, noRetry))).code).toBe(
    status.RESOURCE_EXHAUSTED,
  );
  await admin('DELETE', `/faults/${injected.body['id']}`);
  await expect(client.encrypt({ name: key, plaintext })).resolves.toBeDefined();
});

test('clears all faults of a cloud', async () => {
  await admin('POST', '/faults', { cloud: 'gcp', kind: 'unavailable', operation: 'GetCryptoKey' });
  await admin('DELETE', '/faults?cloud=gcp');
  await expect(client.getCryptoKey({ name: key })).resolves.toBeDefined();
});

test('reports call counters filtered by operation and key, and resets them', async () => {
  await admin('POST', '/calls/reset');
  await client.encrypt({ name: key, plaintext });
  await client.getCryptoKey({ name: key });
  const counted = await admin('GET', `/calls?cloud=gcp&operation=Encrypt&keyId=${encodeURIComponent(key)}`);
  expect(counted.body['total']).toBe(1);
  expect(counted.body['records']).toEqual([{ cloud: 'gcp', operation: 'Encrypt', keyId: key, count: 1 }]);
  expect((await admin('GET', '/calls?cloud=gcp')).body['total']).toBe(2);
  await admin('POST', '/reset');
  expect((await admin('GET', '/calls')).body['total']).toBe(0);
});

test('rejects bad requests with 400/404/413 and keeps serving', async () => {
  expect((await admin('POST', '/faults', '{not json')).status).toBe(400);
  const wrongKind = await admin('POST', '/faults', { cloud: 'gcp', kind: 'explode' });
  expect(wrongKind.status).toBe(400);
  expect(String(wrongKind.body['error'])).toContain('kind');
  expect((await admin('POST', '/deny', { cloud: 'mars', operation: 'Encrypt' })).status).toBe(400);
  expect((await admin('GET', '/calls?cloud=mars')).status).toBe(400);
  expect((await admin('GET', '/nothing-here')).status).toBe(404);
  expect((await admin('POST', '/deny', 'x'.repeat(70 * 1024))).status).toBe(413);
  expect((await admin('GET', '/health')).body).toEqual({ ok: true });
});
