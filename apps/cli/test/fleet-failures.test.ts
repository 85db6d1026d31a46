import { ErrorCodes, KmsError, NoDecryptableKeyError, MalformedMessageError } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli-error.js';
import { formatFailureGroup, groupFailures } from '../src/fleet/failure-groups.js';
import { isRunStopper, stopReason } from '../src/fleet/failure-policy.js';
import { fileFailure } from '../src/fleet/file-failure.js';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = (code: 'ERR_ACCESS_DENIED' | 'ERR_KEY_DISABLED' | 'ERR_THROTTLED', keyId = ARN) =>
  new KmsError({ code, provider: 'aws-kms', operation: 'Decrypt', keyId });
const noKey = (...codes: ('ERR_ACCESS_DENIED' | 'ERR_KEY_DISABLED' | 'ERR_THROTTLED')[]) =>
  new NoDecryptableKeyError(codes.map((code) => ({ recipient: `aws-kms ${ARN}`, error: kms(code) })));

describe('fileFailure', () => {
  it('carries each recipient’s error code when no key opened the data key', () => {
    const failure = fileFailure('a.pkms', noKey('ERR_ACCESS_DENIED', 'ERR_THROTTLED'));
    expect(failure.code).toBe(ErrorCodes.NoDecryptableKey);
    expect(failure.recipients).toEqual([
      { recipient: `aws-kms ${ARN}`, code: 'ERR_ACCESS_DENIED' },
      { recipient: `aws-kms ${ARN}`, code: 'ERR_THROTTLED' },
    ]);
  });

  it('names a refusal of the CLI ERR_REFUSED and a system error by its errno', () => {
    expect(fileFailure('a', new CliError('no')).code).toBe('ERR_REFUSED');
    expect(fileFailure('a', Object.assign(new Error('x'), { code: 'ENOSPC' })).code).toBe('ENOSPC');
  });

  it('redacts user:password in a URI the error quotes', () => {
    const failure = fileFailure('a', new CliError('cannot reach https://me:hunter2@proxy.example/x'));
    expect(failure.error).not.toContain('hunter2');
    expect(failure.error).toContain('https://***@proxy.example/x');
  });
});

describe('the failure policy', () => {
  it('stops at a key refused outright (access denied, disabled), directly or for every recipient', () => {
    expect(isRunStopper(fileFailure('a', kms('ERR_ACCESS_DENIED')))).toBe(true);
    expect(isRunStopper(fileFailure('a', kms('ERR_KEY_DISABLED')))).toBe(true);
    expect(isRunStopper(fileFailure('a', noKey('ERR_ACCESS_DENIED', 'ERR_KEY_DISABLED')))).toBe(true);
  });

  it('does not stop at an outage, a damaged file, or when one recipient only was refused', () => {
    expect(isRunStopper(fileFailure('a', kms('ERR_THROTTLED')))).toBe(false);
    expect(isRunStopper(fileFailure('a', new MalformedMessageError('bad')))).toBe(false);
    expect(isRunStopper(fileFailure('a', noKey('ERR_ACCESS_DENIED', 'ERR_THROTTLED')))).toBe(false);
  });

  it('goes on after a refused key with keepGoing, and stops at maxFailures either way', () => {
    const denied = [fileFailure('a', kms('ERR_ACCESS_DENIED'))];
    expect(stopReason({ keepGoing: false }, denied)?.kind).toBe('unfixable');
    expect(stopReason({ keepGoing: true }, denied)).toBeUndefined();
    const damaged = ['a', 'b'].map((f) => fileFailure(f, new MalformedMessageError('bad')));
    expect(stopReason({ keepGoing: true, maxFailures: 3 }, damaged)).toBeUndefined();
    expect(stopReason({ keepGoing: true, maxFailures: 2 }, damaged)).toEqual({
      kind: 'max-failures',
      maxFailures: 2,
    });
  });
});

describe('failures grouped by cause and key', () => {
  it('reads 1,000 alike failures as one line, the largest group first', () => {
    const failures = [
      ...Array.from({ length: 1000 }, (_, i) => fileFailure(`f${i}`, kms('ERR_ACCESS_DENIED'))),
      fileFailure('other', kms('ERR_KEY_DISABLED', 'arn:aws:kms:eu-west-1:111122223333:key/other')),
    ];
    const groups = groupFailures(failures);
    expect(groups.map(formatFailureGroup)).toEqual([
      `1,000 × ERR_ACCESS_DENIED on key ${ARN}`,
      '1 × ERR_KEY_DISABLED on key arn:aws:kms:eu-west-1:111122223333:key/other',
    ]);
  });

  it('groups files no key opened by their recipients’ codes', () => {
    const groups = groupFailures([
      fileFailure('a', noKey('ERR_ACCESS_DENIED')),
      fileFailure('b', noKey('ERR_ACCESS_DENIED')),
    ]);
    expect(groups).toEqual([
      { count: 2, cause: 'ERR_NO_DECRYPTABLE_KEY (ERR_ACCESS_DENIED)', key: `aws-kms ${ARN}` },
    ]);
  });
});
