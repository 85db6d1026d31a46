import {
  ContextMismatchError,
  DecryptionFailedError,
  InvalidArgumentError,
  KmsError,
  MalformedMessageError,
  NoDecryptableKeyError,
} from '@polykms/envelope';
import { ProviderNotInstalledError } from '@polykms/key-uri';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor } from '../src/exit-codes.js';

const kms = (code: 'ERR_UNAVAILABLE' | 'ERR_ACCESS_DENIED' | 'ERR_INVALID_CIPHERTEXT') =>
  new KmsError({ code, provider: 'aws-kms', operation: 'Decrypt', keyId: 'k' });

describe('exitCodeFor', () => {
  it.each([
    [new InvalidArgumentError('x'), ExitCode.Usage],
    [new DecryptionFailedError(), ExitCode.DecryptFailed],
    [new ContextMismatchError('x'), ExitCode.ContextMismatch],
    [new MalformedMessageError('x'), ExitCode.MalformedInput],
    [kms('ERR_ACCESS_DENIED'), ExitCode.NoKey],
    [kms('ERR_UNAVAILABLE'), ExitCode.ProviderUnavailable],
    [new ProviderNotInstalledError('aws-kms', '@polykms/aws-kms', undefined), ExitCode.ProviderUnavailable],
    [Object.assign(new Error('gone'), { code: 'ENOENT' }), ExitCode.Io],
    [new TypeError('a bug'), ExitCode.Generic],
  ])('maps %s to its documented code', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  it('reads why no key opened a message: all recipients down is retryable (7)', () => {
    const failures = [{ recipient: 'aws', error: kms('ERR_UNAVAILABLE') }];
    expect(exitCodeFor(new NoDecryptableKeyError(failures))).toBe(ExitCode.ProviderUnavailable);
  });

  it('reads why no key opened a message: a wrapped key that does not open is not authentic (3)', () => {
    const failures = [
      { recipient: 'aws', error: kms('ERR_UNAVAILABLE') },
      { recipient: 'gcp', error: kms('ERR_INVALID_CIPHERTEXT') },
    ];
    expect(exitCodeFor(new NoDecryptableKeyError(failures))).toBe(ExitCode.DecryptFailed);
  });

  it('reads why no key opened a message: none of ours among the recipients (4)', () => {
    expect(exitCodeFor(new NoDecryptableKeyError([]))).toBe(ExitCode.NoKey);
    const denied = [{ recipient: 'aws', error: kms('ERR_ACCESS_DENIED') }];
    expect(exitCodeFor(new NoDecryptableKeyError(denied))).toBe(ExitCode.NoKey);
  });
});
