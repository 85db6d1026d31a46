import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AwsFrontEnd, EmulatorControl, createAwsFrontEnd } from '../src/index.js';

// The control plane, persistence and scoping exist only in our emulator, so these run against it alone.
describe('AWS front end: control plane, scoping and persistence', () => {
  const control = new EmulatorControl();
  let changes = 0;
  let frontEnd: AwsFrontEnd;
  let endpoint: string;
  const clients: KMSClient[] = [];
  const client = (overrides: Partial<ConstructorParameters<typeof KMSClient>[0]> = {}) => {
    const created = new KMSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      ...overrides,
    });
    clients.push(created);
    return created;
  };
  const newKey = async (kms = client()) => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    return KeyMetadata as { KeyId: string; Arn: string };
  };

  beforeAll(async () => {
    frontEnd = createAwsFrontEnd({ control, onChange: () => changes++ });
    const port = await frontEnd.listen('127.0.0.1', 0);
    endpoint = frontEnd.endpoint('127.0.0.1', port).endpoint;
  });
  afterEach(() => control.reset());
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await frontEnd.close();
  });

  it('gives a client configuration the SDK accepts as it is', async () => {
    const { clientConfig, accountId } = frontEnd.endpoint('127.0.0.1', Number(new URL(endpoint).port));
    const kms = new KMSClient(clientConfig);
    clients.push(kms);
    const key = await newKey(kms);
    expect(key.Arn).toContain(`:${accountId}:key/`);
  });

  it('gives environment variables with which a default-configured SDK client reaches it', async () => {
    const { environment } = frontEnd.endpoint('127.0.0.1', Number(new URL(endpoint).port));
    const saved = { ...process.env };
    for (const name of ['AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_DEFAULT_REGION', 'AWS_SESSION_TOKEN']) {
      delete process.env[name];
    }
    Object.assign(process.env, environment);
    try {
      const kms = new KMSClient({});
      clients.push(kms);
      control.resetCounters();
      await kms.send(new ListKeysCommand({}));
      expect(control.calls({ cloud: 'aws', operation: 'ListKeys' }).total).toBe(1);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('answers every operation with a JSON 4xx error, never a 5xx or a crash, for hostile bodies', async () => {
    const operations = [
      'CreateKey',
      'DescribeKey',
      'ListKeys',
      'CreateAlias',
      'DeleteAlias',
      'ListAliases',
      'Encrypt',
      'Decrypt',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'ReEncrypt',
      'EnableKey',
      'DisableKey',
      'EnableKeyRotation',
      'DisableKeyRotation',
      'GetKeyRotationStatus',
      'RotateKeyOnDemand',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
    ];
    const hostile = [
      '{"KeyId": {"nested": true}}',
      '{"KeyId": "x".repeat}',
      '{"KeyId": null, "Plaintext": null, "CiphertextBlob": null}',
      '{"KeyId": "alias/../../etc", "AliasName": "alias/\u0000", "TargetKeyId": []}',
      '{"KeyId": "arn:aws:kms:us-east-1:111122223333:key/zz", "Plaintext": "====", "CiphertextBlob": "AAAA"}',
      '{"CiphertextBlob": "AQ==", "EncryptionContext": [], "SourceEncryptionContext": "x", "DestinationKeyId": 1}',
      '{"NumberOfBytes": 1e308, "KeySpec": {}, "Limit": -1, "Marker": 5, "PendingWindowInDays": 3.5}',
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
      '{"Tags": [null, 1, {"TagKey": 5}], "Description": 7, "KeyUsage": "SIGN_VERIFY"}',
      `{"GrantTokens": ${JSON.stringify(Array(50).fill('t'))}, "KeyId": "${'k'.repeat(3000)}"}`,
      '['.repeat(5000),
    ];
    for (const operation of operations) {
      for (const body of hostile) {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'x-amz-target': `TrentService.${operation}`,
            'content-type': 'application/x-amz-json-1.1',
          },
          body,
        });
        const payload = (await response.json()) as { __type?: string };
        if (response.status !== 200) {
          expect(response.status, `${operation} ${body.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
          expect(response.status, `${operation} ${body.slice(0, 60)}`).toBeLessThan(500);
          expect(typeof payload.__type).toBe('string');
        }
      }
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await client().send(new ListKeysCommand({}));
  });

  it('answers AccessDeniedException naming the permission and the key for a denied operation', async () => {
    const kms = client();
    const key = await newKey(kms);
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }),
    );
    control.deny({ cloud: 'aws', operation: 'Decrypt', keyId: key.KeyId });
    const error = await kms.send(new DecryptCommand({ CiphertextBlob })).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'AccessDeniedException' });
    expect((error as Error).message).toContain('kms:Decrypt');
    expect((error as Error).message).toContain(key.Arn);
    // The same key still encrypts: only Decrypt was denied.
    await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
  });

  it('denies an operation to one access key id only, as a credential without that permission', async () => {
    const kms = client();
    const key = await newKey(kms);
    const encryptOnly = client({ credentials: { accessKeyId: 'encrypt-only', secretAccessKey: 'x' } });
    control.deny({ cloud: 'aws', operation: 'Decrypt', principal: 'encrypt-only' });
    const { CiphertextBlob } = await encryptOnly.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }),
    );
    const error = await encryptOnly.send(new DecryptCommand({ CiphertextBlob })).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'AccessDeniedException' });
    expect((await kms.send(new DecryptCommand({ CiphertextBlob }))).KeyId).toBe(key.Arn);
    control.allow({ cloud: 'aws', principal: 'encrypt-only' });
    expect((await encryptOnly.send(new DecryptCommand({ CiphertextBlob }))).KeyId).toBe(key.Arn);
  });

  it('throttles with ThrottlingException (400), which the SDK retries', async () => {
    const key = await newKey();
    control.injectFault({ cloud: 'aws', kind: 'throttle', operation: 'GenerateDataKey', count: 2 });
    const noRetry = client({ maxAttempts: 1 });
    const error = await noRetry
      .send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }))
      .catch((e: Error & { $metadata: { httpStatusCode: number } }) => e);
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    control.resetCounters();
    // One throttle left: the default client (3 attempts) retries through it.
    const generated = await client().send(
      new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }),
    );
    expect(generated.Plaintext?.length).toBe(32);
    expect(control.calls({ cloud: 'aws', operation: 'GenerateDataKey' }).total).toBe(2);
  });

  it('answers a retryable 503 for an unavailable fault', async () => {
    const key = await newKey();
    control.injectFault({ cloud: 'aws', kind: 'unavailable', operation: 'Encrypt', count: 1 });
    const error = await client({ maxAttempts: 1 })
      .send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))
      .catch((e: Error & { $metadata: { httpStatusCode: number } }) => e);
    expect(error).toMatchObject({ name: 'DependencyTimeoutException', $metadata: { httpStatusCode: 503 } });
  });

  it('drops the connection for a drop fault', async () => {
    const key = await newKey();
    control.injectFault({ cloud: 'aws', kind: 'drop', operation: 'DescribeKey', count: 1 });
    const error = await client({ maxAttempts: 1 })
      .send(new DescribeKeyCommand({ KeyId: key.KeyId }))
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
    await client().send(new DescribeKeyCommand({ KeyId: key.KeyId }));
  });

  it('delays a call by the injected latency and then serves it', async () => {
    const key = await newKey();
    control.injectFault({
      cloud: 'aws',
      kind: 'latency',
      operation: 'DescribeKey',
      latencyMs: 300,
      count: 1,
    });
    const order: string[] = [];
    const kms = client();
    await Promise.all([
      kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })).then(() => order.push('delayed DescribeKey')),
      kms.send(new ListKeysCommand({})).then(() => order.push('ListKeys')),
    ]);
    expect(order).toEqual(['ListKeys', 'delayed DescribeKey']);
  });

  it('counts calls per operation and canonical key ARN, whichever way the key was named', async () => {
    const kms = client();
    const key = await newKey(kms);
    control.resetCounters();
    await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x') }),
    );
    await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(
      control
        .calls({ cloud: 'aws', keyId: key.Arn })
        .records.map((r) => [r.operation, r.count])
        .sort(),
    ).toEqual([
      ['Decrypt', 1],
      ['DescribeKey', 1],
      ['Encrypt', 1],
    ]);
  });

  it('sends a correct Date header so the SDK keeps no clock skew', async () => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    const date = Date.parse(response.headers.get('date') ?? '');
    expect(Math.abs(date - Date.now())).toBeLessThan(5_000);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  });

  it('scopes keys to the region and account of the credential scope', async () => {
    const east = client();
    const west = client({ region: 'eu-west-1' });
    const otherAccount = client({ credentials: { accessKeyId: '444455556666', secretAccessKey: 'x' } });
    const key = await newKey(east);
    const westKey = await newKey(west);
    expect(westKey.Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    const foreign = await newKey(otherAccount);
    expect(foreign.Arn).toMatch(/^arn:aws:kms:us-east-1:444455556666:key\//);
    // A bare id names a key in the caller's own account and region only…
    await expect(west.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    await expect(east.send(new DescribeKeyCommand({ KeyId: foreign.KeyId }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    // …while an ARN reaches another account (as a permissive key policy allows), not another region.
    const { CiphertextBlob } = await east.send(
      new EncryptCommand({ KeyId: foreign.Arn, Plaintext: Buffer.from('x') }),
    );
    expect((await east.send(new DecryptCommand({ CiphertextBlob }))).KeyId).toBe(foreign.Arn);
    await expect(
      east.send(new EncryptCommand({ KeyId: westKey.Arn, Plaintext: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    const westBlob = await west.send(new EncryptCommand({ KeyId: westKey.Arn, Plaintext: Buffer.from('x') }));
    const error = await east
      .send(new DecryptCommand({ CiphertextBlob: westBlob.CiphertextBlob }))
      .catch((e) => e);
    expect(error).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('restores keys and aliases from a JSON snapshot, so old ciphertexts still decrypt', async () => {
    const kms = client();
    const key = await newKey(kms);
    const plaintext = randomBytes(32);
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: { k: 'v' } }),
    );
    const before = changes;
    await newKey(kms);
    expect(changes).toBe(before + 1);
    const snapshot = JSON.parse(JSON.stringify(frontEnd.snapshot()));

    const second = createAwsFrontEnd({ control: new EmulatorControl(), onChange() {} });
    second.restore(snapshot);
    const port = await second.listen('127.0.0.1', 0);
    try {
      const restored = client({ endpoint: `http://127.0.0.1:${port}` });
      const decrypted = await restored.send(
        new DecryptCommand({ CiphertextBlob, EncryptionContext: { k: 'v' } }),
      );
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).equals(plaintext)).toBe(true);
      const { Keys } = await restored.send(new ListKeysCommand({}));
      expect(Keys?.map((k) => k.KeyArn)).toContain(key.Arn);
    } finally {
      await second.close();
    }
    expect(() => second.restore({ version: 9 })).toThrow(/not a snapshot/);
  });

  it('answers 413 for an oversize body and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'TrentService.Encrypt', 'content-type': 'application/x-amz-json-1.1' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(`{"KeyId":"x","Plaintext":"${'A'.repeat(1024 * 1024)}"}`);
    });
    expect(status).toBe(413);
    await client().send(new ListKeysCommand({}));
  });

  it('pages ListKeys with Limit and Marker', async () => {
    const kms = client({ region: 'ap-south-1' });
    const created = [await newKey(kms), await newKey(kms), await newKey(kms)];
    const first = await kms.send(new ListKeysCommand({ Limit: 2 }));
    expect(first.Keys).toHaveLength(2);
    expect(first.Truncated).toBe(true);
    const second = await kms.send(new ListKeysCommand({ Limit: 2, Marker: first.NextMarker }));
    expect(second.Truncated).toBe(false);
    expect([...(first.Keys ?? []), ...(second.Keys ?? [])].map((k) => k.KeyArn).sort()).toEqual(
      created.map((k) => k.Arn).sort(),
    );
  });
});
