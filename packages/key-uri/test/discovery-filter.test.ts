import { describe, expect, it } from 'vitest';
import { InvalidKeyUriError, UnknownKeyUriSchemeError, parseDiscoveryFilters } from '@polykms/key-uri';

describe('parseDiscoveryFilters', () => {
  it('merges the accounts of AWS filters in one partition and keeps partitions apart', () => {
    expect(
      parseDiscoveryFilters([
        'aws-kms://aws/111122223333',
        'aws-kms://aws/444455556666,111122223333',
        'aws-kms://aws-cn/777788889999',
      ]),
    ).toEqual([
      { scheme: 'aws-kms', partition: 'aws', accountIds: ['111122223333', '444455556666'] },
      { scheme: 'aws-kms', partition: 'aws-cn', accountIds: ['777788889999'] },
    ]);
  });

  it('keeps an AWS filter with ?region= (multi-Region discovery) apart from the plain one', () => {
    expect(
      parseDiscoveryFilters([
        'aws-kms://aws/111122223333?region=eu-west-1',
        'aws-kms://aws/111122223333',
        'aws-kms://aws/444455556666?region=eu-west-1',
      ]),
    ).toEqual([
      {
        scheme: 'aws-kms',
        partition: 'aws',
        accountIds: ['111122223333', '444455556666'],
        region: 'eu-west-1',
      },
      { scheme: 'aws-kms', partition: 'aws', accountIds: ['111122223333'] },
    ]);
    expect(() => parseDiscoveryFilters(['aws-kms://aws/111122223333?region=cn-north-1'])).toThrow(
      InvalidKeyUriError,
    );
  });

  it('reads a GCP project with or without a location', () => {
    expect(
      parseDiscoveryFilters(['gcp-kms://projects/p1', 'gcp-kms://projects/p2/locations/global']),
    ).toEqual([
      { scheme: 'gcp-kms', projects: ['p1'], locations: [] },
      { scheme: 'gcp-kms', projects: ['p2'], locations: ['global'] },
    ]);
  });

  it('collects Azure vault hosts, lower-cased', () => {
    expect(parseDiscoveryFilters(['azure-kv://A.vault.azure.net', 'azure-kv://127.0.0.1:8443/'])).toEqual([
      { scheme: 'azure-kv', vaultHosts: ['a.vault.azure.net', '127.0.0.1:8443'] },
    ]);
  });

  it('refuses a filter that allows every account or names a key instead', () => {
    expect(() => parseDiscoveryFilters(['aws-kms://aws'])).toThrow(InvalidKeyUriError);
    expect(() => parseDiscoveryFilters(['aws-kms://arn:aws:kms:us-east-1:111122223333:key/k'])).toThrow(
      /aws-kms:\/\/<partition>\/<account>/,
    );
    expect(() => parseDiscoveryFilters(['gcp-kms://projects/p/locations/l/keyRings/r'])).toThrow(
      InvalidKeyUriError,
    );
  });

  it('refuses local keys, which cannot be discovered', () => {
    expect(() => parseDiscoveryFilters(['local://key.json'])).toThrow(UnknownKeyUriSchemeError);
  });
});
