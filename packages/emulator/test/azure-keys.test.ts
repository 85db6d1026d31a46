import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptographyClient } from '@azure/keyvault-keys';
import { EmulatorControl, createAzureFrontEnd } from '../src/index.js';
import { type AzureFixture, restError, startAzure } from './azure-fixture.js';

let azure: AzureFixture;
beforeAll(async () => {
  azure = await startAzure();
});
afterAll(() => azure.stop());

const VERSIONED_KID = /^https:\/\/127\.0\.0\.1:\d+\/keys\/[A-Za-z0-9-]+\/[0-9a-f]{32}$/;

describe('Azure front end: key management through KeyClient', () => {
  it('creates an RSA key whose kid points back to the emulator with a 32-hex version', async () => {
    const key = await azure.keyClient.createRsaKey('create-rsa', { keySize: 2048 });
    expect(key.id).toMatch(VERSIONED_KID);
    expect(key.id?.startsWith(`${azure.endpoint.vaultUrl}/keys/create-rsa/`)).toBe(true);
    expect(key.keyType).toBe('RSA');
    expect(key.key?.n?.length).toBe(256);
    expect([...(key.key?.e ?? [])]).toEqual([1, 0, 1]);
    expect(key.key?.d).toBeUndefined();
    expect(key.properties.enabled).toBe(true);
    expect(key.keyOperations).toEqual(expect.arrayContaining(['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']));
  });

  it('creates RSA-HSM keys of 3072 bits and oct-HSM keys without exposing key material', async () => {
    const rsa = await azure.keyClient.createKey('create-rsa-hsm', 'RSA-HSM', { keySize: 3072 });
    expect(rsa.keyType).toBe('RSA-HSM');
    expect(rsa.key?.n?.length).toBe(384);
    const oct = await azure.keyClient.createOctKey('create-oct', { hsm: true, keySize: 256 });
    expect(oct.keyType).toBe('oct-HSM');
    expect(oct.key?.k).toBeUndefined();
    expect(oct.keyOperations).toEqual(expect.arrayContaining(['wrapKey', 'unwrapKey']));
  });

  it('rejects unsupported key sizes and key types with 400 BadParameter', async () => {
    for (const attempt of [
      () => azure.keyClient.createRsaKey('bad-size', { keySize: 1024 }),
      () => azure.keyClient.createEcKey('bad-ec', { curve: 'P-256' }),
      () => azure.keyClient.createOctKey('bad-oct-size', { hsm: true, keySize: 512 }),
    ]) {
      const error = await restError(attempt());
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('BadParameter');
    }
  });

  it('gets the current version through the trailing-slash route and older versions by id', async () => {
    const first = await azure.keyClient.createRsaKey('get-versions');
    const second = await azure.keyClient.createRsaKey('get-versions');
    expect(second.properties.version).not.toBe(first.properties.version);
    const latest = await azure.keyClient.getKey('get-versions');
    expect(latest.id).toBe(second.id);
    const old = await azure.keyClient.getKey('get-versions', { version: first.properties.version! });
    expect(old.id).toBe(first.id);
    expect(Buffer.from(old.key!.n!).equals(Buffer.from(first.key!.n!))).toBe(true);
  });

  it('answers 404 KeyNotFound for an unknown key or version', async () => {
    const missing = await restError(azure.keyClient.getKey('no-such-key'));
    expect([missing.statusCode, missing.code]).toEqual([404, 'KeyNotFound']);
    await azure.keyClient.createRsaKey('known-key');
    const version = await restError(azure.keyClient.getKey('known-key', { version: '0'.repeat(32) }));
    expect([version.statusCode, version.code]).toEqual([404, 'KeyNotFound']);
  });

  it('treats key names case-insensitively, as Key Vault does', async () => {
    const key = await azure.keyClient.createRsaKey('Mixed-Case');
    const fetched = await azure.keyClient.getKey('mixed-case');
    expect(fetched.id).toBe(key.id);
  });

  it('lists keys without versions and lists every version of a key', async () => {
    const a = await azure.keyClient.createRsaKey('list-a');
    const b = await azure.keyClient.rotateKey('list-a');
    const names: string[] = [];
    for await (const properties of azure.keyClient.listPropertiesOfKeys()) {
      names.push(properties.name);
      expect(properties.version).toBeUndefined();
    }
    expect(names).toContain('list-a');
    const versions: string[] = [];
    for await (const properties of azure.keyClient.listPropertiesOfKeyVersions('list-a')) {
      versions.push(properties.version!);
    }
    expect(versions.sort()).toEqual([a.properties.version!, b.properties.version!].sort());
  });

  it('rotates a key into a new current version of the same type and size', async () => {
    const before = await azure.keyClient.createRsaKey('rotate-me', { keySize: 3072 });
    const after = await azure.keyClient.rotateKey('rotate-me');
    expect(after.properties.version).not.toBe(before.properties.version);
    expect(after.key?.n?.length).toBe(384);
    expect((await azure.keyClient.getKey('rotate-me')).id).toBe(after.id);
    const missing = await restError(azure.keyClient.rotateKey('rotate-nothing'));
    expect(missing.statusCode).toBe(404);
  });

  it('disables and re-enables a version through PATCH', async () => {
    const key = await azure.keyClient.createRsaKey('toggle');
    const disabled = await azure.keyClient.updateKeyProperties('toggle', key.properties.version!, {
      enabled: false,
      tags: { purpose: 'test' },
    });
    expect(disabled.properties.enabled).toBe(false);
    expect(disabled.properties.tags).toEqual({ purpose: 'test' });
    expect((await azure.keyClient.getKey('toggle')).properties.enabled).toBe(false);
    const enabled = await azure.keyClient.updateKeyProperties('toggle', key.properties.version!, {
      enabled: true,
    });
    expect(enabled.properties.enabled).toBe(true);
  });

  it('soft-deletes a key, which can then be recovered or purged', async () => {
    await azure.keyClient.createRsaKey('delete-me');
    const poller = await azure.keyClient.beginDeleteKey('delete-me', { intervalInMs: 1 });
    const deleted = await poller.pollUntilDone();
    expect(deleted.properties.recoveryId).toBe(`${azure.endpoint.vaultUrl}/deletedkeys/delete-me`);
    expect(deleted.properties.deletedOn).toBeInstanceOf(Date);
    expect((await restError(azure.keyClient.getKey('delete-me'))).statusCode).toBe(404);
    expect((await azure.keyClient.getDeletedKey('delete-me')).name).toBe('delete-me');

    const conflict = await restError(azure.keyClient.createRsaKey('delete-me'));
    expect([conflict.statusCode, conflict.code]).toEqual([409, 'Conflict']);

    const recovered = await (
      await azure.keyClient.beginRecoverDeletedKey('delete-me', { intervalInMs: 1 })
    ).pollUntilDone();
    expect(recovered.name).toBe('delete-me');
    expect((await azure.keyClient.getKey('delete-me')).id).toBe(recovered.id);

    await (await azure.keyClient.beginDeleteKey('delete-me', { intervalInMs: 1 })).pollUntilDone();
    await azure.keyClient.purgeDeletedKey('delete-me');
    expect((await restError(azure.keyClient.getDeletedKey('delete-me'))).statusCode).toBe(404);
    await azure.keyClient.createRsaKey('delete-me');
  });

  it('reports every state change and restores a snapshot with working key material', async () => {
    const before = azure.changes();
    const key = await azure.keyClient.createRsaKey('snapshot-me');
    expect(azure.changes()).toBe(before + 1);
    const crypto = azure.cryptoClient(key.id!);
    const wrapped = await crypto.wrapKey('RSA-OAEP-256', new Uint8Array(32).fill(9));
    const state = JSON.parse(JSON.stringify(azure.snapshot()));

    await azure.keyClient.rotateKey('snapshot-me');
    expect(azure.changes()).toBe(before + 2);
    azure.restore(state);
    expect((await azure.keyClient.getKey('snapshot-me')).id).toBe(key.id);
    const unwrapped = await azure.cryptoClient(key.id!).unwrapKey('RSA-OAEP-256', wrapped.result);
    expect([...unwrapped.result]).toEqual(Array(32).fill(9));
    expect(() => azure.restore({ format: 'something else' })).toThrow(/snapshot/);
  });

  it('restores keys into a fresh emulator, so old EDKs keep unwrapping (the TLS key is not in the snapshot)', async () => {
    const key = await azure.keyClient.createRsaKey('restart-me');
    const wrapped = await azure.cryptoClient(key.id!).wrapKey('RSA-OAEP-256', new Uint8Array(32).fill(4));
    const state = JSON.parse(JSON.stringify(azure.snapshot()));

    for (const restoreBeforeListen of [true, false]) {
      const fresh = createAzureFrontEnd({ control: new EmulatorControl(), onChange: () => {} });
      if (restoreBeforeListen) fresh.restore(state);
      const port = await fresh.listen('127.0.0.1', 0);
      if (!restoreBeforeListen) fresh.restore(state);
      try {
        expect(JSON.stringify(state)).not.toContain('PRIVATE KEY');
        const moved = key.id!.replace(/:\d+\//, `:${port}/`);
        const { credential, clientOptions } = fresh.endpoint('127.0.0.1', port);
        const client = new CryptographyClient(moved, credential, clientOptions);
        const unwrapped = await client.unwrapKey('RSA-OAEP-256', wrapped.result);
        expect([...unwrapped.result]).toEqual(Array(32).fill(4));
      } finally {
        await fresh.close();
      }
    }
  });
});
