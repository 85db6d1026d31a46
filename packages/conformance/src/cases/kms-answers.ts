import { Suites, unwrapDataKey } from '@polykms/envelope';
import { check, expectFailure } from '../assertions.js';
import { type ConformanceCase, remote } from '../case.js';
import { context, suite, wrapFresh } from '../fixtures.js';

/** A suite whose data keys are shorter than the default suite's. */
const shortSuite = Suites.AES_128_GCM_IV12_TAG16_HKDF_SHA256;

export const kmsAnswerCases: readonly ConformanceCase[] = [
  {
    id: 'kms-answers/wrong-length-data-key',
    title:
      'an EDK whose KMS answer is a data key of the wrong length fails with ERR_INVALID_CIPHERTEXT, not retryable',
    needs: remote,
    async run(harness) {
      // Anyone allowed to encrypt under the key can write such an EDK: wrap a 16-byte key, then
      // offer it to a 32-byte suite. The KMS opens it and answers with 16 bytes, which must be refused.
      const a = await harness.keyringForKeyA();
      check(shortSuite.keyLength !== suite.keyLength, 'the two suites must differ in key length');
      const { edk } = await wrapFresh(a, context, shortSuite);
      const error = await expectFailure(
        unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
        'unwrap of a 16-byte data key for a 32-byte suite',
        { codes: ['ERR_INVALID_CIPHERTEXT'], retryable: false },
      );
      check(!error.retryable, `the unwrap error (${error.code}) must not be retryable`);
    },
  },
];
