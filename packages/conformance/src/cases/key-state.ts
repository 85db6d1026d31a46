import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import {
  type ConformanceCase,
  admin,
  adminOf,
  all,
  callsForOneSuccess,
  expectFinalFailure,
  hook,
  remote,
} from '../case.js';
import { context, suite, wrapFresh } from '../fixtures.js';

/** Provider errors a retry cannot fix: each maps to its own code with `retryable: false`. */
export const keyStateCases: readonly ConformanceCase[] = [
  {
    id: 'errors/disabled-key-wrap',
    title:
      'wrapping with a disabled key fails with ERR_KEY_DISABLED, not retryable, and works once re-enabled',
    needs: all(remote, admin('disableKey', 'enableKey')),
    async run(harness) {
      const budget = await callsForOneSuccess(harness, 'encrypt');
      const a = await harness.keyringForKeyA();
      await adminOf(harness).disableKey('A');
      try {
        await expectFinalFailure(
          harness,
          budget,
          () => wrapDataKey(a, { suite, encryptionContext: context }),
          'generate with a disabled key',
          {
            codes: ['ERR_KEY_DISABLED'],
            retryable: false,
          },
        );
        await expectFinalFailure(harness, budget, () => wrapFresh(a), 'wrap with a disabled key', {
          codes: ['ERR_KEY_DISABLED'],
          retryable: false,
        });
      } finally {
        await adminOf(harness).enableKey('A');
      }
      await wrapFresh(a);
    },
  },
  {
    id: 'errors/disabled-key-unwrap',
    title: 'unwrapping with a disabled key fails with ERR_KEY_DISABLED, not retryable',
    needs: all(remote, admin('disableKey', 'enableKey')),
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const { edk } = await wrapFresh(a);
      const budget = await callsForOneSuccess(harness, 'decrypt');
      await adminOf(harness).disableKey('A');
      try {
        await expectFinalFailure(
          harness,
          budget,
          () => unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
          'unwrap with a disabled key',
          { codes: ['ERR_KEY_DISABLED'], retryable: false },
        );
      } finally {
        await adminOf(harness).enableKey('A');
      }
    },
  },
  {
    id: 'errors/missing-key',
    title: 'a key that does not exist fails with ERR_KEY_NOT_FOUND, not retryable',
    needs: all(remote, hook('keyringForMissingKey')),
    async run(harness) {
      const budget = await callsForOneSuccess(harness, 'encrypt');
      const missing = await harness.keyringForMissingKey!();
      const expected = { codes: ['ERR_KEY_NOT_FOUND'], retryable: false } as const;
      await expectFinalFailure(
        harness,
        budget,
        () => wrapDataKey(missing, { suite, encryptionContext: context }),
        'generate',
        expected,
      );
      await expectFinalFailure(harness, budget, () => wrapFresh(missing), 'wrap', expected);
    },
  },
  {
    id: 'errors/denied-encrypt',
    title: 'a credential denied encrypt fails to wrap with ERR_ACCESS_DENIED, not retryable',
    needs: all(remote, admin('deny', 'allow')),
    async run(harness) {
      const budget = await callsForOneSuccess(harness, 'encrypt');
      const a = await harness.keyringForKeyA();
      await adminOf(harness).deny('A', 'encrypt');
      try {
        const expected = { codes: ['ERR_ACCESS_DENIED'], retryable: false } as const;
        await expectFinalFailure(
          harness,
          budget,
          () => wrapDataKey(a, { suite, encryptionContext: context }),
          'generate',
          expected,
        );
        await expectFinalFailure(harness, budget, () => wrapFresh(a), 'wrap', expected);
      } finally {
        await adminOf(harness).allow();
      }
      await wrapFresh(a);
    },
  },
  {
    id: 'errors/denied-decrypt',
    title: 'a credential denied decrypt fails to unwrap and to decrypt a message with ERR_ACCESS_DENIED',
    needs: all(remote, admin('deny', 'allow')),
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const { edk } = await wrapFresh(a);
      const { message } = await encrypt(randomBytes(32), { keyring: a, encryptionContext: context });
      const budget = await callsForOneSuccess(harness, 'decrypt');
      await adminOf(harness).deny('A', 'decrypt');
      try {
        const expected = { codes: ['ERR_ACCESS_DENIED'], retryable: false } as const;
        await expectFinalFailure(
          harness,
          budget,
          () => unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
          'unwrap',
          expected,
        );
        await expectFinalFailure(
          harness,
          budget,
          () => decrypt(message, { keyring: a }),
          'decrypt',
          expected,
        );
      } finally {
        await adminOf(harness).allow();
      }
    },
  },
];
