import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecryptionFailedError,
  InvalidArgumentError,
  type Keyring,
  MultiKeyring,
  NoDecryptableKeyError,
  PolykmsError,
  decrypt,
  encrypt,
  isPolykmsError,
  recipientFailuresOf,
} from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';

// A second copy of the errors module, loaded from another file: what a plug-in importing its own
// installed @polykms/envelope hands to a CLI that bundles another copy.
type ErrorsModule = typeof import('../src/errors.js');
let other: ErrorsModule;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-errors-copy-'));
  const copy = join(dir, 'errors.ts');
  await copyFile(new URL('../src/errors.ts', import.meta.url), copy);
  other = (await import(pathToFileURL(copy).href)) as ErrorsModule;
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('PolykmsError across two copies of @polykms/envelope', () => {
  it('loads a genuinely separate class (so the checks below cannot pass by identity)', () => {
    expect(other.PolykmsError).not.toBe(PolykmsError);
    const error = new other.InvalidArgumentError('bad');
    expect(Object.getPrototypeOf(error)).not.toBe(InvalidArgumentError.prototype);
  });

  it('isPolykmsError recognises an error from the other copy, with and without its code', () => {
    const error = new other.InvalidArgumentError('the key must be 32 bytes');
    expect(isPolykmsError(error)).toBe(true);
    expect(isPolykmsError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(isPolykmsError(error, 'ERR_DECRYPTION_FAILED')).toBe(false);
    expect(other.isPolykmsError(new InvalidArgumentError('x'), 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('instanceof PolykmsError and its subclasses hold across copies, superclasses included', () => {
    expect(new other.DecryptionFailedError()).toBeInstanceOf(PolykmsError);
    expect(new other.DecryptionFailedError()).toBeInstanceOf(DecryptionFailedError);
    expect(new other.DecryptionFailedError()).not.toBeInstanceOf(InvalidArgumentError);
    // UnwrappableRecipientsError extends InvalidArgumentError.
    expect(new other.UnwrappableRecipientsError(['raw k1'])).toBeInstanceOf(InvalidArgumentError);
    expect(new DecryptionFailedError()).toBeInstanceOf(other.PolykmsError);
  });

  it('does not take a look-alike for a PolykmsError: the brand decides, not the name or code', () => {
    const lookAlike = Object.assign(new Error('x'), {
      name: 'InvalidArgumentError',
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect(isPolykmsError(lookAlike)).toBe(false);
    expect(lookAlike).not.toBeInstanceOf(PolykmsError);
    expect(lookAlike).not.toBeInstanceOf(InvalidArgumentError);
    expect(isPolykmsError(null)).toBe(false);
    expect(isPolykmsError('ERR_INVALID_ARGUMENT')).toBe(false);
  });

  it('keeps the brand off the instance: JSON and own keys are as before', () => {
    const error = new InvalidArgumentError('bad');
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'InvalidArgumentError',
      code: 'ERR_INVALID_ARGUMENT',
      retryable: false,
    });
  });

  it('recipientFailuresOf reads the failures of the other copy’s NoDecryptableKeyError', () => {
    const inner = new other.DecryptionFailedError();
    const error = new other.NoDecryptableKeyError([{ recipient: 'raw k1', error: inner }]);
    expect(recipientFailuresOf(error)).toEqual([{ recipient: 'raw k1', error: inner }]);
    expect(recipientFailuresOf(new other.InvalidArgumentError('x'))).toEqual([]);
  });

  it('a MultiKeyring flattens the failures of a child keyring that throws the other copy’s NoDecryptableKeyError', async () => {
    const { message } = await encrypt(bytes(100), { keyring: testKeyring('aws') });
    const plugin: Keyring = {
      description: 'plugin envkey://APP_KEY',
      wrap: () => Promise.reject(new Error('not used')),
      unwrap: () =>
        Promise.reject(
          new other.NoDecryptableKeyError([
            { recipient: 'envkey APP_KEY', error: new other.InvalidArgumentError('APP_KEY is too short') },
          ]),
        ),
    };
    const error = await decrypt(message, { keyring: new MultiKeyring({ children: [plugin] }) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NoDecryptableKeyError);
    const failures = recipientFailuresOf(error);
    expect(failures.map((f) => [f.recipient, f.error.code])).toEqual([
      ['envkey APP_KEY', 'ERR_INVALID_ARGUMENT'],
    ]);
  });
});
