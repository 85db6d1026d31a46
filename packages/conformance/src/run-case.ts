import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { KMS_CALL_CHANNEL } from '@polykms/envelope';
import { check } from './assertions.js';
import type { ConformanceCase } from './case.js';
import type { ConformanceHarness } from './harness.js';

/**
 * Runs one case. A harness that declares `remote: false` turns every case about KMS calls into
 * "not applicable", so the declaration is checked: KMS calls seen during the case (on the
 * `polykms:kms-call` channel, or through `admin.callCount` when the harness has it) fail it.
 */
export async function runCase(testCase: ConformanceCase, harness: ConformanceHarness): Promise<void> {
  if (harness.remote) return testCase.run(harness);
  let events = 0;
  const onCall = () => {
    events += 1;
  };
  const counter = harness.admin?.callCount?.bind(harness.admin);
  const before = counter ? await counter() : 0;
  subscribe(KMS_CALL_CHANNEL, onCall);
  try {
    await testCase.run(harness);
  } finally {
    unsubscribe(KMS_CALL_CHANNEL, onCall);
  }
  const counted = counter ? (await counter()) - before : 0;
  const calls = Math.max(events, counted);
  check(
    calls === 0,
    `the harness declares remote: false, but the keyring made ${calls} KMS call(s) during this case; ` +
      'declare remote: true so that the cases about KMS calls run',
  );
}
