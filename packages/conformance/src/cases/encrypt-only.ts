import { unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { assertSameBytes, check, expectFailure } from '../assertions.js';
import { type ConformanceCase, hook } from '../case.js';
import { context, suite } from '../fixtures.js';

export const encryptOnlyCases: readonly ConformanceCase[] = [
  {
    id: 'encrypt-only/wraps',
    title: 'an encrypt-only keyring generates data keys that key A can unwrap',
    needs: hook('encryptOnlyKeyringForKeyA'),
    async run(harness) {
      const encryptOnly = await harness.encryptOnlyKeyringForKeyA!();
      const wrapped = await wrapDataKey(encryptOnly, { suite, encryptionContext: context });
      const opened = await unwrapDataKey(await harness.keyringForKeyA(), {
        suite,
        encryptionContext: context,
        encryptedDataKeys: wrapped.encryptedDataKeys,
      });
      check(opened, "key A returned null for the encrypt-only keyring's EDK");
      assertSameBytes(opened.dataKey, wrapped.dataKey, 'the data key');
    },
  },
  {
    id: 'encrypt-only/cannot-decrypt',
    title:
      'an encrypt-only keyring fails to unwrap with a typed error, not retryable (ERR_ACCESS_DENIED from a KMS)',
    needs: hook('encryptOnlyKeyringForKeyA'),
    async run(harness) {
      const encryptOnly = await harness.encryptOnlyKeyringForKeyA!();
      const wrapped = await wrapDataKey(encryptOnly, { suite, encryptionContext: context });
      await expectFailure(
        unwrapDataKey(encryptOnly, {
          suite,
          encryptionContext: context,
          encryptedDataKeys: wrapped.encryptedDataKeys,
        }),
        'unwrap with an encrypt-only keyring',
        // A KMS refuses the credential; a local keyring without its private key refuses the call.
        {
          codes: harness.remote
            ? ['ERR_ACCESS_DENIED']
            : ['ERR_ACCESS_DENIED', 'ERR_UNSUPPORTED', 'ERR_INVALID_ARGUMENT'],
          retryable: false,
        },
      );
    },
  },
];
