import { InvalidArgumentError, MalformedMessageError } from '@polykms/envelope';
import { UnknownKeyUriSchemeError } from '@polykms/key-uri';
import { describe, expect, it } from 'vitest';
import { keyUriHint, suggestKeyUri } from '../src/io/key-uri-suggestion.js';
import { redactCredentials } from '../src/io/redact.js';
import { inUserWords } from '../src/io/user-wording.js';
import { stdoutFailure } from '../src/io/stdout-failure.js';
import { reportError } from '../src/report-error.js';

const report = (error: unknown) => {
  const lines: string[] = [];
  const code = reportError(error, (line) => lines.push(line));
  return { code, text: lines.join('\n') };
};

describe('Go CDK and Tink spellings of a key', () => {
  it.each([
    [
      'awskms:///arn:aws:kms:us-east-1:111122223333:key/abc',
      'aws-kms://arn:aws:kms:us-east-1:111122223333:key/abc',
    ],
    ['awskms://alias/app?region=eu-west-1', 'aws-kms://alias/app'],
    ['awskms://1234abcd?region=eu-west-1', 'aws-kms://arn:aws:kms:eu-west-1:<account>:key/1234abcd'],
    [
      'gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k',
      'gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k',
    ],
    ['azurekeyvault://v.vault.azure.net/keys/k', 'azure-kv://v.vault.azure.net/keys/k'],
    ['https://v.vault.azure.net/keys/k/0123', 'azure-kv://v.vault.azure.net/keys/k/0123'],
    ['arn:aws:kms:us-east-1:111122223333:key/abc', 'aws-kms://arn:aws:kms:us-east-1:111122223333:key/abc'],
  ])('%s: did you mean %s', (uri, ours) => {
    expect(suggestKeyUri(uri)).toEqual({ suggestion: ours });
  });

  it('says HashiCorp Vault is not supported rather than suggesting a key', () => {
    expect(keyUriHint('hashivault://my-key')).toMatch(/HashiCorp Vault keys are not supported/);
  });

  it('offers nothing for a URI no tool spells that way', () => {
    expect(suggestKeyUri('ftp://x')).toBeUndefined();
  });

  it('is printed under the error of an unknown scheme', () => {
    const { code, text } = report(
      new UnknownKeyUriSchemeError('gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k'),
    );
    expect(code).toBe(2);
    expect(text).toContain('did you mean gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k ?');
  });
});

describe('error messages', () => {
  it('redact user:password in any URI', () => {
    expect(redactCredentials('via https://alice:s3cret@proxy:8080/ and azure-kv://bob@v/keys/k')).toBe(
      'via https://***@proxy:8080/ and azure-kv://***@v/keys/k',
    );
    const { text } = report(new UnknownKeyUriSchemeError('https://alice:s3cret@v.vault.azure.net/keys/k'));
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('alice');
    expect(text).toContain('did you mean azure-kv://v.vault.azure.net/keys/k ?');
  });

  it('name no library class', () => {
    const { text } = report(
      new InvalidArgumentError('RawRsaKeyring: privateKey is not a valid PEM-encoded RSA private key'),
    );
    expect(text).toBe(
      'polykms: error [ERR_INVALID_ARGUMENT]: local RSA key: privateKey is not a valid PEM-encoded RSA private key\n  Run the command with --help to see its options and examples.',
    );
    expect(inUserWords('decrypting needs the key ARN (or AwsKmsDiscoveryKeyring)')).toBe(
      'decrypting needs the key ARN (or --discovery aws-kms://…)',
    );
    expect(report(new MalformedMessageError('bad')).text).not.toMatch(/[A-Z][a-z]+Error/);
  });

  it('say which path is a file where a directory is needed, without ENOTDIR', () => {
    const error = Object.assign(new Error('ENOTDIR: not a directory, stat'), {
      code: 'ENOTDIR',
      path: 'a.txt/b',
    });
    const { code, text } = report(error);
    expect(code).toBe(8);
    expect(text).toBe("polykms: error: 'a.txt/b': a part of the path is a file where a directory is needed");
  });

  it('end a full disk or a file-size limit on stdout with exit 8 and a sentence, and EPIPE quietly', () => {
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    expect(stdoutFailure(Object.assign(new Error('x'), { code: 'ENOSPC' }), write)).toBe(8);
    expect(stdoutFailure(Object.assign(new Error('x'), { code: 'EFBIG' }), write)).toBe(8);
    expect(stdoutFailure(Object.assign(new Error('x'), { code: 'EPIPE' }), write)).toBe(8);
    expect(stdoutFailure(Object.assign(new Error('x'), { code: 'EINVAL' }), write)).toBeUndefined();
    expect(lines).toEqual([
      'polykms: error: writing the output failed: no space left on the device',
      expect.stringContaining('ulimit -f'),
    ]);
  });
});
