import { describe, expect, it } from 'vitest';
import { mapGcpError } from '../src/errors.js';

// The table on its own, for statuses the emulator has no fault for.
describe('mapGcpError', () => {
  it('maps a CANCELLED status sent by the server to a retryable ERR_UNAVAILABLE, not ERR_CANCELLED', () => {
    const error = mapGcpError(Object.assign(new Error('1 CANCELLED: Call cancelled'), { code: 1 }), {
      operation: 'Decrypt',
      keyId: 'projects/p/locations/l/keyRings/r/cryptoKeys/k',
    });
    expect(error).toMatchObject({ code: 'ERR_UNAVAILABLE', retryable: true, provider: 'gcp-kms' });
  });
});
