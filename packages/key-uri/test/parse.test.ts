import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import {
  InvalidKeyUriError,
  UnknownKeyUriSchemeError,
  keyUriOfEncryptedDataKey,
  parseKeyUri,
} from '@polykms/key-uri';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const GCP = 'projects/my-project/locations/europe-west1/keyRings/app/cryptoKeys/data';

describe('parseKeyUri', () => {
  it('reads an AWS key ARN with its region', () => {
    expect(parseKeyUri(`aws-kms://${ARN}`)).toEqual({
      scheme: 'aws-kms',
      uri: `aws-kms://${ARN}`,
      keyId: ARN,
      kind: 'key',
      region: 'us-east-1',
    });
  });

  it('reads AWS aliases, as an alias ARN or as alias/<name> without a region', () => {
    expect(parseKeyUri('aws-kms://arn:aws:kms:eu-west-1:111122223333:alias/app')).toMatchObject({
      kind: 'alias',
      region: 'eu-west-1',
    });
    expect(parseKeyUri('aws-kms://alias/app')).toMatchObject({
      kind: 'alias',
      keyId: 'alias/app',
      region: undefined,
    });
  });

  it('reads other AWS partitions', () => {
    expect(parseKeyUri(`aws-kms://${ARN.replace('arn:aws:', 'arn:aws-us-gov:')}`).scheme).toBe('aws-kms');
  });

  it('reads a Google Cloud CryptoKey name with its project and location', () => {
    expect(parseKeyUri(`gcp-kms://${GCP}`)).toEqual({
      scheme: 'gcp-kms',
      uri: `gcp-kms://${GCP}`,
      keyName: GCP,
      project: 'my-project',
      location: 'europe-west1',
    });
  });

  it('refuses a Google Cloud key version: decrypt needs the CryptoKey', () => {
    expect(() => parseKeyUri(`gcp-kms://${GCP}/cryptoKeyVersions/3`)).toThrow(InvalidKeyUriError);
  });

  it('reads an Azure key with and without a version, keeping the port of a local vault', () => {
    expect(parseKeyUri('azure-kv://MyVault.vault.azure.net/keys/app')).toEqual({
      scheme: 'azure-kv',
      uri: 'azure-kv://MyVault.vault.azure.net/keys/app',
      keyId: 'https://myvault.vault.azure.net/keys/app',
      vaultHost: 'myvault.vault.azure.net',
      keyName: 'app',
      version: undefined,
    });
    expect(parseKeyUri('azure-kv://127.0.0.1:8443/keys/app/0123456789abcdef0123456789abcdef')).toMatchObject({
      keyId: 'https://127.0.0.1:8443/keys/app/0123456789abcdef0123456789abcdef',
      version: '0123456789abcdef0123456789abcdef',
    });
  });

  it('resolves a local key file against the working directory, and keeps an absolute path', () => {
    expect(parseKeyUri('local://keys/app.json')).toMatchObject({
      scheme: 'local',
      path: resolve('keys/app.json'),
    });
    expect(parseKeyUri('local:///etc/polykms/app.json')).toMatchObject({ path: '/etc/polykms/app.json' });
  });

  it('names the scheme it does not know and lists the ones it does', () => {
    const error = (() => {
      try {
        parseKeyUri('vault://secret/app');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownKeyUriSchemeError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect((error as Error).message).toContain("unknown key URI scheme 'vault'");
    expect((error as Error).message).toContain('aws-kms://, gcp-kms://, azure-kv://, local://');
  });

  it('says a bare key id needs a scheme', () => {
    expect(() => parseKeyUri(ARN)).toThrow(/unknown key URI scheme 'arn'/);
    expect(() => parseKeyUri('my-key')).toThrow(/a key URI needs a scheme/);
  });

  it.each([
    'aws-kms://',
    'aws-kms://arn:aws:kms:us-east-1:1111:key/abc',
    'aws-kms://arn:aws:s3:::bucket',
    'gcp-kms://projects/p/locations/l/keyRings/r',
    'gcp-kms://projects/p/keyRings/r/cryptoKeys/k',
    'azure-kv://vault.example/secrets/app',
    'azure-kv://vault.example',
    'azure-kv://bad host/keys/app',
    'local://',
  ])('shows the expected form for a malformed %s', (uri) => {
    expect(() => parseKeyUri(uri)).toThrow(InvalidKeyUriError);
    expect(() => parseKeyUri(uri)).toThrow(/expected .*:\/\//);
  });
});

describe('keyUriOfEncryptedDataKey', () => {
  it('gives the key URI of cloud EDKs from their provider info', () => {
    expect(keyUriOfEncryptedDataKey('aws-kms', ARN)).toBe(`aws-kms://${ARN}`);
    expect(keyUriOfEncryptedDataKey('gcp-kms', `${GCP}/cryptoKeyVersions/2`)).toBe(`gcp-kms://${GCP}`);
    expect(keyUriOfEncryptedDataKey('azure-kv', 'https://v.vault.azure.net/keys/app/abc123')).toBe(
      'azure-kv://v.vault.azure.net/keys/app/abc123',
    );
  });

  it('gives none for raw keys and for provider info that names no key', () => {
    expect(keyUriOfEncryptedDataKey('my-namespace', 'my-key')).toBeUndefined();
    expect(keyUriOfEncryptedDataKey('aws-kms', 'alias/app')).toBeUndefined();
  });
});
