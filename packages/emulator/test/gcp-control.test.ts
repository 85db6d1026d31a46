import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { EmulatorControl } from '../src/control.js';
import { createGcpFrontEnd } from '../src/gcp/front-end.js';
import { type GcpHarness, startGcpHarness, statusOf } from './gcp-harness.js';

const { status } = grpc;
let h: GcpHarness;
let key: string;
beforeAll(async () => {
  h = await startGcpHarness();
  key = await h.cryptoKey();
});
afterAll(async () => h?.close());
afterEach(() => h.control.reset());

const noRetry = { retry: null };
const plaintext = Buffer.from('x');

describe('simulated permissions', () => {
  test('denies one operation on one key with PERMISSION_DENIED naming the IAM permission', async () => {
    h.control.deny({ cloud: 'gcp', operation: 'Decrypt', keyId: key.split('/').pop() });
    const [enc] = await h.client.encrypt({ name: key, plaintext });
    const error = await statusOf(h.client.decrypt({ name: key, ciphertext: enc.ciphertext }, noRetry));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toBe(
      `Permission 'cloudkms.cryptoKeyVersions.useToDecrypt' denied on resource '${key}' (or it may not exist).`,
    );
    h.control.allow({ cloud: 'gcp', operation: 'Decrypt' });
    await expect(h.client.decrypt({ name: key, ciphertext: enc.ciphertext })).resolves.toBeDefined();
  });

  test('checks the CryptoKey when Encrypt names a version', async () => {
    h.control.deny({ cloud: 'gcp', operation: 'Encrypt', keyId: key });
    const error = await statusOf(
      h.client.encrypt({ name: `${key}/cryptoKeyVersions/1`, plaintext }, noRetry),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toContain('cloudkms.cryptoKeyVersions.useToEncrypt');
  });

  test('denies before looking the key up, as IAM does', async () => {
    h.control.deny({ cloud: 'gcp', operation: 'GetCryptoKey' });
    const error = await statusOf(h.client.getCryptoKey({ name: `${key}-absent` }, noRetry));
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });
});

describe('fault injection', () => {
  test('throttles the next call with RESOURCE_EXHAUSTED, then serves normally', async () => {
    h.control.injectFault({ cloud: 'gcp', kind: 'throttle', operation: 'Encrypt', count: 1 });
    const error = await statusOf(h.client.encrypt({ name: key, plaintext }, noRetry));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    await expect(h.client.encrypt({ name: key, plaintext }, noRetry)).resolves.toBeDefined();
  });

  test('fails with UNAVAILABLE, which the official client retries for Encrypt', async () => {
    h.control.injectFault({
      cloud: 'gcp',
      kind: 'unavailable',
      operation: 'CreateCryptoKeyVersion',
      count: 1,
    });
    const error = await statusOf(h.client.createCryptoKeyVersion({ parent: key, cryptoKeyVersion: {} }));
    expect(error.code).toBe(status.UNAVAILABLE);

    h.control.injectFault({ cloud: 'gcp', kind: 'unavailable', operation: 'Encrypt', count: 1 });
    await expect(h.client.encrypt({ name: key, plaintext })).resolves.toBeDefined();
    expect(h.control.calls({ cloud: 'gcp', operation: 'Encrypt', keyId: key }).total).toBe(2);
  });

  test('a drop ends only its own call: another call in flight on the same channel is answered', async () => {
    h.control.injectFault({ cloud: 'gcp', kind: 'latency', operation: 'Encrypt', latencyMs: 300, count: 1 });
    h.control.injectFault({ cloud: 'gcp', kind: 'drop', operation: 'GetCryptoKey', count: 1 });
    const slow = h.client.encrypt({ name: key, plaintext }, noRetry);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the Encrypt is in flight
    const dropped = await statusOf(h.client.getCryptoKey({ name: key }, noRetry));
    expect(dropped.code).toBe(status.UNAVAILABLE);
    await expect(slow).resolves.toBeDefined();
  });

  test('drops a call without an answer; the client sees UNAVAILABLE', async () => {
    h.control.injectFault({ cloud: 'gcp', kind: 'drop', operation: 'GetCryptoKey', count: 1 });
    const error = await statusOf(h.client.getCryptoKey({ name: key }, noRetry));
    expect(error.code).toBe(status.UNAVAILABLE);
    const [got] = await h.client.getCryptoKey({ name: key });
    expect(got.name).toBe(key);
  });

  test('adds latency, so a short client deadline gives DEADLINE_EXCEEDED', async () => {
    h.control.injectFault({ cloud: 'gcp', kind: 'latency', operation: 'Encrypt', latencyMs: 400 });
    const error = await statusOf(h.client.encrypt({ name: key, plaintext }, { ...noRetry, timeout: 50 }));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    h.control.clearFaults('gcp');
    await expect(h.client.encrypt({ name: key, plaintext }, { timeout: 5000 })).resolves.toBeDefined();
  });
});

describe('counters', () => {
  test('counts calls per operation and CryptoKey, versions counted under their key, and resets', async () => {
    h.control.resetCounters();
    await h.client.encrypt({ name: key, plaintext });
    await h.client.encrypt({ name: `${key}/cryptoKeyVersions/1`, plaintext });
    await h.client.getCryptoKey({ name: key });
    expect(h.control.calls({ cloud: 'gcp', operation: 'Encrypt', keyId: key }).total).toBe(2);
    expect(h.control.calls({ cloud: 'gcp' }).total).toBe(3);
    h.control.resetCounters();
    expect(h.control.calls({ cloud: 'gcp' }).total).toBe(0);
  });
});

describe('bad input', () => {
  test('answers an undecodable request with an error and keeps serving', async () => {
    const raw = new grpc.Client(`127.0.0.1:${h.endpoint.port}`, grpc.credentials.createInsecure());
    const code = await new Promise<number>((resolve) => {
      raw.makeUnaryRequest(
        '/google.cloud.kms.v1.KeyManagementService/Encrypt',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        (error) => resolve(error?.code ?? status.OK),
      );
    });
    raw.close();
    expect(code).toBe(status.INVALID_ARGUMENT);
    await expect(h.client.getCryptoKey({ name: key })).resolves.toBeDefined();
  });

  test('refuses a request over the 4 MiB gRPC message limit and keeps serving', async () => {
    const error = await statusOf(
      h.client.encrypt({ name: key, plaintext: Buffer.alloc(5 * 1024 * 1024) }, noRetry),
    );
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    await expect(h.client.getCryptoKey({ name: key })).resolves.toBeDefined();
  });

  test('answers UNIMPLEMENTED for methods the emulator does not serve', async () => {
    const error = await statusOf(h.client.getPublicKey({ name: `${key}/cryptoKeyVersions/1` }, noRetry));
    expect(error.code).toBe(status.UNIMPLEMENTED);
  });
});

describe('snapshot and restore', () => {
  test('a restored front end decrypts what the first one encrypted and keeps versions and states', async () => {
    const k = await h.cryptoKey();
    await h.client.createCryptoKeyVersion({ parent: k, cryptoKeyVersion: {} });
    await h.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: `${k}/cryptoKeyVersions/2`, state: 'DISABLED' },
      updateMask: { paths: ['state'] },
    });
    const [enc] = await h.client.encrypt({ name: k, plaintext: Buffer.from('persisted') });
    const saved = JSON.parse(JSON.stringify(h.snapshot()));

    const second = createGcpFrontEnd({ control: new EmulatorControl(), onChange: () => {} });
    second.restore(saved);
    const port = await second.listen('127.0.0.1', 0);
    const { KeyManagementServiceClient } = await import('@google-cloud/kms');
    const client = new KeyManagementServiceClient(second.endpoint('127.0.0.1', port).clientOptions);
    try {
      const [dec] = await client.decrypt({ name: k, ciphertext: enc.ciphertext });
      expect(Buffer.from(dec.plaintext as Uint8Array).toString()).toBe('persisted');
      const [v2] = await client.getCryptoKeyVersion({ name: `${k}/cryptoKeyVersions/2` });
      expect(v2.state).toBe('DISABLED');
      const [v3] = await client.createCryptoKeyVersion({ parent: k, cryptoKeyVersion: {} });
      expect(v3.name).toBe(`${k}/cryptoKeyVersions/3`);
    } finally {
      await client.close();
      await second.close();
    }
  });

  test('refuses a malformed snapshot', () => {
    const frontEnd = createGcpFrontEnd({ control: new EmulatorControl(), onChange: () => {} });
    expect(() => frontEnd.restore({ keyRings: 'no' })).toThrow();
    expect(() => frontEnd.restore({ keyRings: [], cryptoKeys: [{ name: 'x', uid: 'short' }] })).toThrow();
  });
});

describe('idle connections', () => {
  test('are closed by the server once no call is in flight for the idle time', async () => {
    const frontEnd = createGcpFrontEnd({
      control: new EmulatorControl(),
      onChange() {},
      idleConnectionMs: 200,
    });
    const port = await frontEnd.listen('127.0.0.1', 0);
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const channel = client.getChannel();
    try {
      await new Promise<void>((resolve, reject) =>
        client.waitForReady(Date.now() + 5000, (error) => (error ? reject(error) : resolve())),
      );
      expect(channel.getConnectivityState(false)).toBe(grpc.connectivityState.READY);
      await new Promise((resolve) => setTimeout(resolve, 800));
      // The server sent GOAWAY and closed the connection; a client reconnects on its next call.
      expect(channel.getConnectivityState(false)).toBe(grpc.connectivityState.IDLE);
    } finally {
      client.close();
      await frontEnd.close();
    }
  });
});
