import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GcpHarness, startGcpHarness, statusOf } from './gcp-harness.js';

let h: GcpHarness;
beforeAll(async () => {
  h = await startGcpHarness();
});
afterAll(async () => h?.close());

const noRetry = { retry: null };

describe('key rings', () => {
  test('creates, gets and lists key rings through the official client', async () => {
    const [ring] = await h.client.createKeyRing({ parent: h.locationName, keyRingId: 'listed', keyRing: {} });
    expect(ring.name).toBe(`${h.locationName}/keyRings/listed`);
    expect(Number(ring.createTime?.seconds)).toBeGreaterThan(0);
    const [got] = await h.client.getKeyRing({ name: ring.name as string });
    expect(got.name).toBe(ring.name);
    const [rings] = await h.client.listKeyRings({ parent: h.locationName });
    expect(rings.map((r) => r.name)).toContain(ring.name);
  });

  test('lists across pages when page_size is small', async () => {
    const parent = h.client.locationPath('paging-project', 'us-east1');
    for (const id of ['a', 'b', 'c']) await h.client.createKeyRing({ parent, keyRingId: id, keyRing: {} });
    const [firstPage, , response] = await h.client.listKeyRings(
      { parent, pageSize: 2 },
      { autoPaginate: false },
    );
    expect(firstPage).toHaveLength(2);
    expect(response?.nextPageToken).not.toBe('');
    expect(response?.totalSize).toBe(3);
    const [all] = await h.client.listKeyRings({ parent, pageSize: 2 });
    expect(all.map((r) => r.name?.split('/').pop())).toEqual(['a', 'b', 'c']);
  });

  test('answers ALREADY_EXISTS for a duplicate key ring', async () => {
    await h.client.createKeyRing({ parent: h.locationName, keyRingId: 'dup', keyRing: {} });
    const error = await statusOf(
      h.client.createKeyRing({ parent: h.locationName, keyRingId: 'dup', keyRing: {} }),
    );
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(error.details).toContain('keyRings/dup already exists');
  });

  test('answers NOT_FOUND for a missing key ring', async () => {
    const error = await statusOf(h.client.getKeyRing({ name: `${h.locationName}/keyRings/nope` }));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe(`KeyRing ${h.locationName}/keyRings/nope not found.`);
  });

  test.each([
    ['an id with a dot', 'bad.id'],
    ['an id of 64 characters', 'x'.repeat(64)],
    ['an empty id', ''],
  ])('rejects %s with INVALID_ARGUMENT', async (_label, keyRingId) => {
    const error = await statusOf(
      h.client.createKeyRing({ parent: h.locationName, keyRingId, keyRing: {} }, noRetry),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  });

  test('rejects a malformed resource name with INVALID_ARGUMENT', async () => {
    const error = await statusOf(h.client.getKeyRing({ name: 'projects/p/keyRings/r' }, noRetry));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('does not match any known pattern');
  });
});

describe('crypto keys and versions', () => {
  test('creates a key with an enabled primary version 1', async () => {
    const name = await h.cryptoKey();
    const [key] = await h.client.getCryptoKey({ name });
    expect(key.purpose).toBe('ENCRYPT_DECRYPT');
    expect(key.primary?.name).toBe(`${name}/cryptoKeyVersions/1`);
    expect(key.primary?.state).toBe('ENABLED');
    expect(key.primary?.algorithm).toBe('GOOGLE_SYMMETRIC_ENCRYPTION');
    expect(key.versionTemplate?.protectionLevel).toBe('SOFTWARE');
  });

  test('creates no version when skip_initial_version_creation is set', async () => {
    const parent = await h.keyRing();
    const [key] = await h.client.createCryptoKey({
      parent,
      cryptoKeyId: 'empty',
      cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
      skipInitialVersionCreation: true,
    });
    expect(key.primary).toBeNull();
    const [versions] = await h.client.listCryptoKeyVersions({ parent: key.name as string });
    expect(versions).toEqual([]);
    const error = await statusOf(
      h.client.encrypt({ name: key.name as string, plaintext: Buffer.from('x') }, noRetry),
    );
    expect(error.code).toBe(status.FAILED_PRECONDITION);
  });

  test('lists the keys of a key ring and refuses keys in a missing ring', async () => {
    const name = await h.cryptoKey();
    const ring = name.split('/cryptoKeys/')[0] as string;
    const [keys] = await h.client.listCryptoKeys({ parent: ring });
    expect(keys.map((k) => k.name)).toEqual([name]);
    const missing = `${h.locationName}/keyRings/missing`;
    expect((await statusOf(h.client.listCryptoKeys({ parent: missing }))).code).toBe(status.NOT_FOUND);
    const create = h.client.createCryptoKey({
      parent: missing,
      cryptoKeyId: 'k',
      cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
    });
    expect((await statusOf(create)).code).toBe(status.NOT_FOUND);
  });

  test('refuses a duplicate key, a missing purpose and purposes the emulator does not serve', async () => {
    const name = await h.cryptoKey();
    const [ring, id] = name.split('/cryptoKeys/') as [string, string];
    const dup = h.client.createCryptoKey({
      parent: ring,
      cryptoKeyId: id,
      cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
    });
    expect((await statusOf(dup)).code).toBe(status.ALREADY_EXISTS);
    const noPurpose = h.client.createCryptoKey({ parent: ring, cryptoKeyId: 'np', cryptoKey: {} });
    expect((await statusOf(noPurpose)).code).toBe(status.INVALID_ARGUMENT);
    const sign = h.client.createCryptoKey({
      parent: ring,
      cryptoKeyId: 'sg',
      cryptoKey: { purpose: 'ASYMMETRIC_SIGN' },
    });
    expect((await statusOf(sign)).code).toBe(status.INVALID_ARGUMENT);
  });

  test('creates, gets and lists versions; a new version does not become primary by itself', async () => {
    const name = await h.cryptoKey();
    const [v2] = await h.client.createCryptoKeyVersion({ parent: name, cryptoKeyVersion: {} });
    expect(v2.name).toBe(`${name}/cryptoKeyVersions/2`);
    expect(v2.state).toBe('ENABLED');
    const [got] = await h.client.getCryptoKeyVersion({ name: v2.name as string });
    expect(got.name).toBe(v2.name);
    const [versions] = await h.client.listCryptoKeyVersions({ parent: name });
    expect(versions.map((v) => v.name?.split('/').pop())).toEqual(['1', '2']);
    const [key] = await h.client.getCryptoKey({ name });
    expect(key.primary?.name).toBe(`${name}/cryptoKeyVersions/1`);
  });

  test('moves the primary to an enabled version, and refuses a disabled or missing one', async () => {
    const name = await h.cryptoKey();
    await h.client.createCryptoKeyVersion({ parent: name, cryptoKeyVersion: {} });
    const [key] = await h.client.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: '2' });
    expect(key.primary?.name).toBe(`${name}/cryptoKeyVersions/2`);
    await h.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: `${name}/cryptoKeyVersions/1`, state: 'DISABLED' },
      updateMask: { paths: ['state'] },
    });
    const disabled = await statusOf(
      h.client.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: '1' }),
    );
    expect(disabled.code).toBe(status.FAILED_PRECONDITION);
    expect(disabled.details).toBe(`${name}/cryptoKeyVersions/1 is not enabled, current state is: DISABLED.`);
    const missing = await statusOf(h.client.updateCryptoKeyPrimaryVersion({ name, cryptoKeyVersionId: '9' }));
    expect(missing.code).toBe(status.NOT_FOUND);
  });

  test('disables and enables a version through update_mask state', async () => {
    const name = await h.cryptoKey();
    const version = `${name}/cryptoKeyVersions/1`;
    const [off] = await h.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: version, state: 'DISABLED' },
      updateMask: { paths: ['state'] },
    });
    expect(off.state).toBe('DISABLED');
    const [on] = await h.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: version, state: 'ENABLED' },
      updateMask: { paths: ['state'] },
    });
    expect(on.state).toBe('ENABLED');
  });

  test('rejects updates without a mask, of other fields, or to states that are not ENABLED/DISABLED', async () => {
    const name = await h.cryptoKey();
    const version = `${name}/cryptoKeyVersions/1`;
    const cases = [
      { cryptoKeyVersion: { name: version, state: 'DISABLED' as const } },
      { cryptoKeyVersion: { name: version, state: 'DISABLED' as const }, updateMask: { paths: ['labels'] } },
      { cryptoKeyVersion: { name: version, state: 'DESTROYED' as const }, updateMask: { paths: ['state'] } },
    ];
    for (const request of cases) {
      expect((await statusOf(h.client.updateCryptoKeyVersion(request))).code).toBe(status.INVALID_ARGUMENT);
    }
  });

  test('schedules destruction, refuses to use the version, and restores it as DISABLED', async () => {
    const name = await h.cryptoKey();
    const version = `${name}/cryptoKeyVersions/1`;
    const [encrypted] = await h.client.encrypt({ name, plaintext: Buffer.from('kept') });
    const [destroyed] = await h.client.destroyCryptoKeyVersion({ name: version });
    expect(destroyed.state).toBe('DESTROY_SCHEDULED');
    expect(Number(destroyed.destroyTime?.seconds)).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    const decrypt = await statusOf(h.client.decrypt({ name, ciphertext: encrypted.ciphertext }, noRetry));
    expect(decrypt.code).toBe(status.FAILED_PRECONDITION);
    expect(decrypt.details).toContain('current state is: DESTROY_SCHEDULED');
    const again = await statusOf(h.client.destroyCryptoKeyVersion({ name: version }));
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    const update = h.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: version, state: 'ENABLED' },
      updateMask: { paths: ['state'] },
    });
    expect((await statusOf(update)).code).toBe(status.FAILED_PRECONDITION);

    const [restored] = await h.client.restoreCryptoKeyVersion({ name: version });
    expect(restored.state).toBe('DISABLED');
    expect(restored.destroyTime).toBeNull();
    expect((await statusOf(h.client.restoreCryptoKeyVersion({ name: version }))).code).toBe(
      status.FAILED_PRECONDITION,
    );
    await h.client.updateCryptoKeyVersion({
      cryptoKeyVersion: { name: version, state: 'ENABLED' },
      updateMask: { paths: ['state'] },
    });
    const [decrypted] = await h.client.decrypt({ name, ciphertext: encrypted.ciphertext });
    expect(Buffer.from(decrypted.plaintext as Uint8Array).toString()).toBe('kept');
  });

  test('destroys the key material for good once the scheduled time has passed', async () => {
    const parent = await h.keyRing();
    const [key] = await h.client.createCryptoKey({
      parent,
      cryptoKeyId: 'short-lived',
      cryptoKey: { purpose: 'ENCRYPT_DECRYPT', destroyScheduledDuration: { seconds: 0 } },
    });
    const version = `${key.name}/cryptoKeyVersions/1`;
    const [destroyed] = await h.client.destroyCryptoKeyVersion({ name: version });
    expect(destroyed.state).toBe('DESTROYED');
    expect(destroyed.destroyEventTime).not.toBeNull();
    expect((await statusOf(h.client.restoreCryptoKeyVersion({ name: version }))).code).toBe(
      status.FAILED_PRECONDITION,
    );
  });

  test('answers NOT_FOUND for missing keys and versions', async () => {
    const name = await h.cryptoKey();
    expect((await statusOf(h.client.getCryptoKey({ name: `${name}-missing` }))).code).toBe(status.NOT_FOUND);
    const error = await statusOf(h.client.getCryptoKeyVersion({ name: `${name}/cryptoKeyVersions/7` }));
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe(`CryptoKeyVersion ${name}/cryptoKeyVersions/7 not found.`);
    const create = h.client.createCryptoKeyVersion({ parent: `${name}-missing`, cryptoKeyVersion: {} });
    expect((await statusOf(create)).code).toBe(status.NOT_FOUND);
  });

  test('reports each state change to the persistence hook, and none for reads', async () => {
    const before = h.changes.count;
    const name = await h.cryptoKey();
    expect(h.changes.count).toBe(before + 2);
    await h.client.getCryptoKey({ name });
    await h.client.encrypt({ name, plaintext: Buffer.from('x') });
    expect(h.changes.count).toBe(before + 2);
  });
});
