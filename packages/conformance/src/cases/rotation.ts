import { unwrapDataKey } from '@polykms/envelope';
import { assertSameBytes, check } from '../assertions.js';
import { type ConformanceCase, admin, adminOf } from '../case.js';
import { context, suite, wrapFresh } from '../fixtures.js';

export const rotationCases: readonly ConformanceCase[] = [
  {
    id: 'rotation/old-edks-readable',
    title: 'EDKs wrapped before a key rotation still unwrap after it, and new wraps unwrap too',
    needs: admin('rotateKey'),
    async run(harness) {
      const before = await wrapFresh(await harness.keyringForKeyA());
      await adminOf(harness).rotateKey('A');
      const a = await harness.keyringForKeyA();
      const after = await wrapFresh(a);
      for (const [label, wrapped] of [
        ['before', before],
        ['after', after],
      ] as const) {
        const opened = await unwrapDataKey(a, {
          suite,
          encryptionContext: context,
          encryptedDataKeys: [wrapped.edk],
        });
        check(opened, `key A returned null for its EDK wrapped ${label} the rotation`);
        assertSameBytes(opened.dataKey, wrapped.dataKey, `the data key wrapped ${label} the rotation`);
      }
    },
  },
];
