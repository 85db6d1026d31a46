import { describe, expect, it } from 'vitest';
import { discoveryCannotEncrypt, discoveryFilterSet } from '@polykms/envelope/driver';

const spec = {
  provider: 'p',
  field: 'discoveryFilter.ids',
  entry: 'two-digit id',
  accepts: (e: string) => /^\d\d$/.test(e),
};

describe('discoveryFilterSet', () => {
  it('returns the entries as a set', () => {
    expect([...discoveryFilterSet(['12', '34', '12'], spec)]).toEqual(['12', '34']);
  });

  it.each([
    ['missing', undefined],
    ['not a list', '12'],
    ['empty', []],
    ['an empty entry', ['12', '']],
    ['a non-string entry', ['12', 34]],
    ['an entry the check refuses', ['12', '345']],
  ])('refuses a list that is %s, naming the field and provider', (_, value) => {
    expect(() => discoveryFilterSet(value, spec)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARGUMENT',
        provider: 'p',
        message: 'p: discoveryFilter.ids must list at least one two-digit id, and only those',
      }),
    );
  });
});

describe('discoveryCannotEncrypt', () => {
  it('names the keyring to use instead', () => {
    expect(discoveryCannotEncrypt('p', 'p discovery (x)', 'PKeyring')).toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      provider: 'p',
      message: 'a discovery keyring cannot encrypt: use PKeyring with a key id (p discovery (x))',
    });
  });
});
