import { unwrapDataKey } from '@polykms/envelope';
import { assertSameBytes, check, expectNoDataKey, sameBytes } from '../assertions.js';
import { type ConformanceCase, countCalls, countsCalls } from '../case.js';
import { context, suite, wrapFresh } from '../fixtures.js';
import { tamperings } from '../tamper.js';

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
}

/**
 * A keyring must never hand out a data key for a tampered EDK. When only the ciphertext changed,
 * the EDK still names the keyring's key, so the keyring must try it and fail with a typed error;
 * when the provider info changed, returning null (not mine) is also right.
 */
export const tamperingCases: readonly ConformanceCase[] = tamperings.map((tampering) => ({
  id: `tampering/${slug(tampering.name)}`,
  title: `rejects an EDK whose ${tampering.name}, with a typed error and no data key`,
  async run(harness) {
    const a = await harness.keyringForKeyA();
    const { dataKey, edk } = await wrapFresh(a);
    const intact = await unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk] });
    check(intact, 'control: key A returned null for its own untampered EDK');
    assertSameBytes(intact.dataKey, dataKey, 'control: the untampered EDK unwraps to the data key');
    const tampered = tampering.apply(edk);
    const changed =
      !sameBytes(tampered.ciphertext, edk.ciphertext) || !sameBytes(tampered.providerInfo, edk.providerInfo);
    check(changed, `the ${tampering.name} tampering changed nothing (empty field?)`);
    const what = `unwrapping an EDK whose ${tampering.name}`;
    const attempt = () =>
      expectNoDataKey(
        unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [tampered] }),
        what,
      );
    let outcome: Awaited<ReturnType<typeof attempt>>;
    if (countsCalls(harness)) {
      const counted = await countCalls(harness, attempt);
      outcome = counted.result;
      // A tampered EDK fails the same way every time: retrying it only multiplies KMS calls.
      check(
        counted.calls <= 1,
        `${what} made ${counted.calls} KMS calls; an invalid ciphertext must not be retried`,
      );
    } else {
      outcome = await attempt();
    }
    if (sameBytes(tampered.providerInfo, edk.providerInfo)) {
      check(outcome !== null, 'the EDK still names key A, so key A must try it and fail, not return null');
    }
  },
}));
