import { type EmulatorControlPlane, emulatorAdmin } from '@polykms/conformance';
import { describe, expect, it } from 'vitest';

function recordingControl() {
  const log: unknown[] = [];
  const control: EmulatorControlPlane<'aws'> = {
    deny: (rule) => void log.push(['deny', rule]),
    allow: (rule) => void log.push(['allow', rule]),
    injectFault: (spec) => log.push(['fault', spec]),
    clearFaults: (cloud) => void log.push(['clear', cloud]),
    calls: () => ({ total: 7 }),
  };
  return { log, control };
}

describe('emulatorAdmin', () => {
  const keys = { A: 'arn:a', B: 'arn:b' };
  const operations = { encrypt: ['GenerateDataKey', 'Encrypt'], decrypt: ['Decrypt'] };

  it("denies every one of the cloud's operations for the abstract operation, on the named key", () => {
    const { log, control } = recordingControl();
    emulatorAdmin({ control, cloud: 'aws', keyIds: () => keys, operations }).deny('B', 'encrypt');
    expect(log).toEqual([
      ['deny', { cloud: 'aws', operation: 'GenerateDataKey', keyId: 'arn:b' }],
      ['deny', { cloud: 'aws', operation: 'Encrypt', keyId: 'arn:b' }],
    ]);
  });

  it('injects one fault for all operations and keys when none is named, and counts calls', () => {
    const { log, control } = recordingControl();
    const admin = emulatorAdmin({ control, cloud: 'aws', keyIds: () => keys, operations });
    admin.injectFault('latency', { latencyMs: 5 });
    admin.clearFaults();
    expect(log).toEqual([
      [
        'fault',
        {
          cloud: 'aws',
          kind: 'latency',
          operation: undefined,
          keyId: undefined,
          count: undefined,
          latencyMs: 5,
        },
      ],
      ['clear', 'aws'],
    ]);
    expect(admin.callCount()).toBe(7);
  });
});
