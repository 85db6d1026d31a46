import { KeysetError, KmsError } from '@polykms/envelope';
import { afterEach, describe, expect, it } from 'vitest';
import { reportError } from '../src/report-error.js';

const sdkError = () =>
  Object.assign(new Error('AccessDeniedException: not allowed'), { name: 'AccessDeniedException' });

describe('reportError', () => {
  afterEach(() => {
    delete process.env['POLYKMS_DEBUG'];
  });

  it('prints the causes, with POLYKMS_DEBUG=1 only', () => {
    const error = new KmsError({
      code: 'ERR_ACCESS_DENIED',
      provider: 'aws-kms',
      operation: 'Decrypt',
      cause: sdkError(),
    });
    const quiet: string[] = [];
    reportError(error, (line) => quiet.push(line));
    expect(quiet.join('\n')).not.toContain('not allowed');

    process.env['POLYKMS_DEBUG'] = '1';
    const debug: string[] = [];
    reportError(error, (line) => debug.push(line));
    expect(debug).toContain('caused by:');
    expect(debug.join('\n')).toContain('AccessDeniedException: not allowed');
  });

  it('points a refused keyset at the keyset flags, not at --expect-context', () => {
    for (const code of ['ERR_KEYSET_MISMATCH', 'ERR_STALE_KEYSET', 'ERR_KEY_VERSION_NOT_FOUND'] as const) {
      const lines: string[] = [];
      reportError(new KeysetError(code, 'refused'), (line) => lines.push(line));
      expect(lines.join('\n')).not.toContain('--expect-context');
      expect(lines.join('\n')).toMatch(/keyset/);
    }
  });
});
