import { checkTimeoutMs } from '@polykms/envelope/driver';
import { describe, expect, it } from 'vitest';

describe('checkTimeoutMs', () => {
  it('accepts no timeout and any positive integer', () => {
    for (const timeoutMs of [undefined, 1, 500, 600_000, 2 ** 31 - 1]) {
      expect(() => checkTimeoutMs(timeoutMs, 'test-kms')).not.toThrow();
    }
  });

  it('refuses zero, negatives, fractions, NaN, infinity, non-numbers and more than a timer can wait with ERR_INVALID_ARGUMENT naming the provider', () => {
    for (const timeoutMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100', null, 2 ** 31, 3e9]) {
      expect(() => checkTimeoutMs(timeoutMs, 'test-kms')).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARGUMENT',
          provider: 'test-kms',
          message: expect.stringContaining('timeoutMs must be a positive integer'),
        }),
      );
    }
  });
});
