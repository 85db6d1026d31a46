import { AwsKmsKeyring } from '@polykms/aws-kms';
import { GcpKmsDiscoveryKeyring, GcpKmsKeyring } from '@polykms/gcp-kms';
import { InvalidKeyUriError, parseDiscoveryFilters, parseKeyUri } from '@polykms/key-uri';
import { describe, expect, it } from 'vitest';

// Key URIs are parsed by each provider's own grammar: a name is accepted by a URI exactly when
// the provider's keyring accepts it. These are the cases that once drifted apart.
describe('key URIs and keyrings judge key names alike', () => {
  const domainScoped = 'projects/example.com:p/locations/global/keyRings/r/cryptoKeys/k';

  it('accepts a domain-scoped Google Cloud project (example.com:p) in a URI and in GcpKmsKeyring', () => {
    expect(parseKeyUri(`gcp-kms://${domainScoped}`)).toMatchObject({ project: 'example.com:p' });
    // No call is made: the client is created on first use.
    expect(new GcpKmsKeyring({ keyName: domainScoped }).keyName).toBe(domainScoped);
  });

  it('accepts a domain-scoped project in a discovery filter and in GcpKmsDiscoveryKeyring', () => {
    expect(parseDiscoveryFilters(['gcp-kms://projects/example.com:p'])).toEqual([
      { scheme: 'gcp-kms', projects: ['example.com:p'], locations: [] },
    ]);
    expect(
      () => new GcpKmsDiscoveryKeyring({ discoveryFilter: { projects: ['example.com:p'] } }),
    ).not.toThrow();
  });

  it('refuses an AWS ARN whose region is not a region (local), in a URI and in AwsKmsKeyring', () => {
    const arn = 'arn:aws:kms:local:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(() => parseKeyUri(`aws-kms://${arn}`)).toThrow(InvalidKeyUriError);
    expect(() => new AwsKmsKeyring({ keyId: arn })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARGUMENT',
        message: expect.stringMatching(/not a KMS key or alias ARN/),
      }),
    );
  });

  it('refuses a GCP project with characters no project id has, in both', () => {
    const bad = 'projects/p!/locations/global/keyRings/r/cryptoKeys/k';
    expect(() => parseKeyUri(`gcp-kms://${bad}`)).toThrow(InvalidKeyUriError);
    expect(() => new GcpKmsKeyring({ keyName: bad })).toThrow(/CryptoKey name/);
  });
});
