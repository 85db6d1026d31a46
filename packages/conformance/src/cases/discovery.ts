import { unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { assertSameBytes, check, checkNull, expectFailure } from '../assertions.js';
import { type ConformanceCase, all, callCount, countCalls, hook, keyrings } from '../case.js';
import { context, suite, wrapFresh } from '../fixtures.js';
import type { ConformanceHarness } from '../harness.js';

async function edksOfBothKeys(harness: ConformanceHarness) {
  const { a, b } = await keyrings(harness);
  return [await wrapFresh(a), await wrapFresh(b)];
}

export const discoveryCases: readonly ConformanceCase[] = [
  {
    id: 'discovery/admits',
    title: "a discovery keyring whose filter admits the keys unwraps both key A's and key B's EDKs",
    needs: hook('discoveryKeyring'),
    async run(harness) {
      const discovery = await harness.discoveryKeyring!('admit');
      for (const wrapped of await edksOfBothKeys(harness)) {
        const opened = await unwrapDataKey(discovery, {
          suite,
          encryptionContext: context,
          encryptedDataKeys: [wrapped.edk],
        });
        check(opened, 'the admitting discovery keyring returned null');
        assertSameBytes(opened.dataKey, wrapped.dataKey, 'the data key unwrapped in discovery mode');
      }
    },
  },
  {
    id: 'discovery/refuses',
    title: 'a discovery keyring whose filter refuses the keys returns null for their EDKs',
    needs: hook('discoveryKeyring'),
    async run(harness) {
      const discovery = await harness.discoveryKeyring!('refuse');
      const edks = (await edksOfBothKeys(harness)).map((w) => w.edk);
      checkNull(
        await unwrapDataKey(discovery, { suite, encryptionContext: context, encryptedDataKeys: edks }),
        'a refusing discovery keyring must return null',
      );
    },
  },
  {
    id: 'discovery/refuses-no-call',
    title: 'a refusing discovery filter is applied before any KMS call',
    needs: all(hook('discoveryKeyring'), callCount),
    async run(harness) {
      const discovery = await harness.discoveryKeyring!('refuse');
      const edks = (await edksOfBothKeys(harness)).map((w) => w.edk);
      const { result, calls } = await countCalls(harness, () =>
        unwrapDataKey(discovery, { suite, encryptionContext: context, encryptedDataKeys: edks }),
      );
      checkNull(result, 'a refusing discovery keyring must return null');
      check(calls === 0, `the refusing discovery keyring made ${calls} KMS call(s)`);
    },
  },
  {
    id: 'discovery/cannot-encrypt',
    title: 'a discovery keyring refuses to generate or wrap with a typed error',
    needs: hook('discoveryKeyring'),
    async run(harness) {
      const discovery = await harness.discoveryKeyring!('admit');
      const expected = { codes: ['ERR_INVALID_ARGUMENT', 'ERR_UNSUPPORTED'], retryable: false } as const;
      await expectFailure(
        wrapDataKey(discovery, { suite, encryptionContext: context }),
        'generate',
        expected,
      );
      await expectFailure(wrapFresh(discovery), 'wrap', expected);
    },
  },
];
