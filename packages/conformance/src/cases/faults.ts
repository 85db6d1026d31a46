import { unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { assertSameBytes, check, expectFailure } from '../assertions.js';
import { type ConformanceCase, admin, adminOf, all, callCount, countCalls, hook, remote } from '../case.js';
import { context, suite, wrapFresh } from '../fixtures.js';
import type { ConformanceHarness } from '../harness.js';

type Transient = 'throttle' | 'unavailable';
const codeOf = { throttle: 'ERR_THROTTLED', unavailable: 'ERR_UNAVAILABLE' } as const;

/** Long enough that a keyring which ignores its deadline or abort signal visibly succeeds instead. */
const SLOW_MS = 3000;

async function retriedOnce(harness: ConformanceHarness, kind: Transient): Promise<void> {
  const a = await harness.keyringForKeyA();
  const control = adminOf(harness);
  const { dataKey, edk } = await wrapFresh(a);
  try {
    await control.injectFault(kind, { key: 'A', count: 1 });
    const wrapped = await countCalls(harness, () => wrapDataKey(a, { suite, encryptionContext: context }));
    check(
      wrapped.calls >= 2,
      `wrap made ${wrapped.calls} KMS call(s) after one ${kind} fault: it did not retry`,
    );
    await control.injectFault(kind, { key: 'A', count: 1 });
    const unwrapped = await countCalls(harness, () =>
      unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
    );
    check(unwrapped.calls >= 2, `unwrap made ${unwrapped.calls} KMS call(s) after one ${kind} fault`);
    check(unwrapped.result, 'unwrap returned null');
    assertSameBytes(unwrapped.result.dataKey, dataKey, 'the data key unwrapped after a retry');
  } finally {
    await control.clearFaults();
  }
}

async function persistent(harness: ConformanceHarness, kind: Transient): Promise<void> {
  const a = await harness.keyringForKeyA();
  const control = adminOf(harness);
  const { edk } = await wrapFresh(a);
  const expected = { codes: [codeOf[kind]], retryable: true };
  try {
    await control.injectFault(kind, { key: 'A' });
    await expectFailure(
      wrapDataKey(a, { suite, encryptionContext: context }),
      `generate under ${kind}`,
      expected,
    );
    await expectFailure(wrapFresh(a), `wrap under ${kind}`, expected);
    const error = await expectFailure(
      unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
      `unwrap under ${kind}`,
      expected,
    );
    check(error.retryable, `the unwrap error (${error.code}) must be retryable as a whole`);
  } finally {
    await control.clearFaults();
  }
  await wrapFresh(a);
}

const faultHooks = all(remote, admin('injectFault', 'clearFaults'));

export const faultCases: readonly ConformanceCase[] = [
  {
    id: 'faults/throttle-retried',
    title: 'retries a throttled call and succeeds',
    needs: all(faultHooks, callCount),
    run: (harness) => retriedOnce(harness, 'throttle'),
  },
  {
    id: 'faults/unavailable-retried',
    title: 'retries a call the service could not serve and succeeds',
    needs: all(faultHooks, callCount),
    run: (harness) => retriedOnce(harness, 'unavailable'),
  },
  {
    id: 'faults/throttle-persistent',
    title: 'persistent throttling fails with ERR_THROTTLED, retryable',
    needs: faultHooks,
    run: (harness) => persistent(harness, 'throttle'),
  },
  {
    id: 'faults/unavailable-persistent',
    title: 'a persistently unavailable service fails with ERR_UNAVAILABLE, retryable',
    needs: faultHooks,
    run: (harness) => persistent(harness, 'unavailable'),
  },
  {
    id: 'faults/timeout',
    title: 'a call slower than the deadline fails with ERR_TIMEOUT, retryable',
    needs: all(faultHooks, hook('keyringWithTimeout')),
    async run(harness) {
      // The EDK comes from a keyring without a deadline: on a loaded machine even a normal call
      // may take longer than the short deadline used below.
      const { edk } = await wrapFresh(await harness.keyringForKeyA());
      const a = await harness.keyringWithTimeout!(500);
      const control = adminOf(harness);
      const expected = { codes: ['ERR_TIMEOUT'], retryable: true } as const;
      try {
        await control.injectFault('latency', { key: 'A', latencyMs: SLOW_MS });
        await expectFailure(wrapFresh(a), 'wrap past the deadline', expected);
        await expectFailure(
          unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
          'unwrap past the deadline',
          expected,
        );
      } finally {
        await control.clearFaults();
      }
    },
  },
  {
    id: 'faults/abort-before-call',
    title: 'an already-aborted signal fails wrap and unwrap with ERR_CANCELLED',
    needs: remote,
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const { edk } = await wrapFresh(a);
      const signal = AbortSignal.abort();
      const expected = { codes: ['ERR_CANCELLED'] } as const;
      await expectFailure(
        wrapDataKey(a, { suite, encryptionContext: context, signal }),
        'generate',
        expected,
      );
      const error = await expectFailure(
        unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk], signal }),
        'unwrap',
        expected,
      );
      check(
        error.code === 'ERR_CANCELLED',
        `a cancelled unwrap must surface as ERR_CANCELLED, not as a recipient failure (got ${error.code})`,
      );
    },
  },
  {
    id: 'faults/abort-in-flight',
    title: 'aborting a slow call settles it at once with ERR_CANCELLED',
    needs: faultHooks,
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const { edk } = await wrapFresh(a);
      const control = adminOf(harness);
      try {
        await control.injectFault('latency', { key: 'A', latencyMs: SLOW_MS });
        const wrapAbort = AbortSignal.timeout(50);
        await expectFailure(
          wrapDataKey(a, { suite, encryptionContext: context, signal: wrapAbort }),
          'generate aborted in flight',
          { codes: ['ERR_CANCELLED'] },
        );
        const unwrapAbort = new AbortController();
        setTimeout(() => unwrapAbort.abort(), 50);
        const error = await expectFailure(
          unwrapDataKey(a, {
            suite,
            encryptionContext: context,
            encryptedDataKeys: [edk],
            signal: unwrapAbort.signal,
          }),
          'unwrap aborted in flight',
          { codes: ['ERR_CANCELLED'] },
        );
        check(
          error.code === 'ERR_CANCELLED',
          `the aborted unwrap failed with ${error.code}, not ERR_CANCELLED`,
        );
      } finally {
        await control.clearFaults();
      }
    },
  },
];
