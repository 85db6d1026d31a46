import { describe, expect, it } from 'vitest';
import { encryptedDataKeyMatchesUri, parseKeyUri } from '@polykms/key-uri';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const GCP = 'projects/p/locations/global/keyRings/r/cryptoKeys/k';
const edk = (providerId: string, info: string) => ({
  providerId,
  providerInfo: new TextEncoder().encode(info),
  ciphertext: new Uint8Array([1]),
});

describe('encryptedDataKeyMatchesUri', () => {
  it('matches an AWS EDK by its exact key ARN and never by an alias', () => {
    expect(encryptedDataKeyMatchesUri(parseKeyUri(`aws-kms://${ARN}`), edk('aws-kms', ARN))).toBe(true);
    expect(
      encryptedDataKeyMatchesUri(
        parseKeyUri(`aws-kms://${ARN}`),
        edk('aws-kms', ARN.replace('1234abcd', 'ffffffff')),
      ),
    ).toBe(false);
    expect(encryptedDataKeyMatchesUri(parseKeyUri('aws-kms://alias/app'), edk('aws-kms', ARN))).toBe(false);
  });

  it('does not match provider info that only differs by a leading byte-order mark', () => {
    expect(encryptedDataKeyMatchesUri(parseKeyUri(`aws-kms://${ARN}`), edk('aws-kms', `\uFEFF${ARN}`))).toBe(
      false,
    );
  });

  it('matches a GCP EDK of any version of the CryptoKey, and not of a key whose name extends it', () => {
    const key = parseKeyUri(`gcp-kms://${GCP}`);
    expect(encryptedDataKeyMatchesUri(key, edk('gcp-kms', `${GCP}/cryptoKeyVersions/7`))).toBe(true);
    expect(encryptedDataKeyMatchesUri(key, edk('gcp-kms', `${GCP}2/cryptoKeyVersions/1`))).toBe(false);
  });

  it('matches an Azure EDK of any version unless the URI pins one', () => {
    const kid = 'https://v.vault.azure.net/keys/app/0123456789abcdef0123456789abcdef';
    expect(
      encryptedDataKeyMatchesUri(parseKeyUri('azure-kv://v.vault.azure.net/keys/app'), edk('azure-kv', kid)),
    ).toBe(true);
    expect(
      encryptedDataKeyMatchesUri(
        parseKeyUri('azure-kv://v.vault.azure.net/keys/app/ffff'),
        edk('azure-kv', kid),
      ),
    ).toBe(false);
    expect(
      encryptedDataKeyMatchesUri(parseKeyUri('azure-kv://v.vault.azure.net/keys/ap'), edk('azure-kv', kid)),
    ).toBe(false);
  });

  it('never matches an EDK of another provider', () => {
    expect(encryptedDataKeyMatchesUri(parseKeyUri(`aws-kms://${ARN}`), edk('gcp-kms', ARN))).toBe(false);
  });

  it('cannot tell for local keys from the URI alone', () => {
    expect(encryptedDataKeyMatchesUri(parseKeyUri('local://k.json'), edk('ns', 'k'))).toBeUndefined();
  });
});
