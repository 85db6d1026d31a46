import { checkTimeoutMs } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';

describe('checkTimeoutMs', () => {
  it('accepts no timeout and any positive integer', () => {
    for (const timeoutMs of [undefined, 1, 500, 600_000]) {
      expect(() => checkTimeoutMs(timeoutMs, 'test-kms')).not.toThrow();
    }
  });

  it('refuses zero, negatives, fractions, NaN, infinity and non-numbers with ERR_INVALID_ARGUMENT naming the provider', () => {
    for (const timeoutMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100', null]) {
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
