import { KeyManagementServiceClient } from '@google-cloud/kms';
import { crc32c } from '@node-rs/crc32';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/start.js';

let emulator: RunningEmulator;
let rest: KeyManagementServiceClient;
beforeAll(async () => {
  emulator = await startEmulator({ clouds: ['gcp'] });
  rest = new KeyManagementServiceClient(emulator.gcp.restClientOptions);
});
afterAll(async () => {
  await rest?.close();
  await emulator?.stop();
});

describe('Google Cloud KMS over REST/JSON', () => {
  test('the Node client in REST mode manages keys and round-trips data, with CRC32C verified', async () => {
    const parent = rest.locationPath(emulator.gcp.projectId, emulator.gcp.location);
    const [ring] = await rest.createKeyRing({ parent, keyRingId: 'rest', keyRing: {} });
    expect(ring.name).toBe(`${parent}/keyRings/rest`);
    expect(Number(ring.createTime?.seconds)).toBeGreaterThan(1_700_000_000);
    const [key] = await rest.createCryptoKey({
      parent: ring.name as string,
      cryptoKeyId: 'k',
      cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
    });
    expect(key.primary?.state).toBe('ENABLED');
    const [encrypted] = await rest.encrypt({
      name: key.name as string,
      plaintext: Buffer.from('over REST'),
      plaintextCrc32c: { value: crc32c(Buffer.from('over REST')) },
      additionalAuthenticatedData: Buffer.from('aad'),
    });
    expect(encrypted.name).toBe(`${key.name}/cryptoKeyVersions/1`);
    expect(encrypted.verifiedPlaintextCrc32c).toBe(true);
    expect(Number(encrypted.ciphertextCrc32c?.value)).toBe(
      crc32c(Buffer.from(encrypted.ciphertext as Uint8Array)),
    );
    const [decrypted] = await rest.decrypt({
      name: key.name as string,
      ciphertext: encrypted.ciphertext as Uint8Array,
      additionalAuthenticatedData: Buffer.from('aad'),
    });
    expect(Buffer.from(decrypted.plaintext as Uint8Array).toString()).toBe('over REST');
    // The same store behind both transports: gRPC sees what REST made.
    const grpc = new KeyManagementServiceClient(emulator.gcp.clientOptions);
    const [viaGrpc] = await grpc.getCryptoKey({ name: key.name as string });
    expect(viaGrpc.name).toBe(key.name);
    await grpc.close();
  });

  test('errors are Google JSON errors with the mapped HTTP status', async () => {
    const missing = await fetch(
      `${emulator.gcp.restUrl}/v1/projects/p/locations/global/keyRings/none/cryptoKeys/k`,
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 404, status: 'NOT_FOUND', message: expect.stringContaining('none') },
    });
    const unserved = await fetch(`${emulator.gcp.restUrl}/v1/projects/p/locations/global/ekmConnections`);
    expect(unserved.status).toBe(501);
    expect(((await unserved.json()) as { error: { message: string } }).error.message).toMatch(
      /does not serve GET \/v1\/projects\/p\/locations\/global\/ekmConnections/,
    );
  });

  test('refuses a rotation schedule instead of dropping it', async () => {
    const parent = rest.locationPath(emulator.gcp.projectId, emulator.gcp.location);
    await rest.createKeyRing({ parent, keyRingId: 'rotation', keyRing: {} });
    await expect(
      rest.createCryptoKey({
        parent: `${parent}/keyRings/rotation`,
        cryptoKeyId: 'k',
        cryptoKey: { purpose: 'ENCRYPT_DECRYPT', rotationPeriod: { seconds: 86_400 * 30 } },
      }),
    ).rejects.toThrow(/does not serve automatic rotation/);
  });
});
