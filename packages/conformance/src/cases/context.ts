import { randomBytes } from 'node:crypto';
import { type EncryptionContext, decrypt, encrypt, unwrapDataKey } from '@polykms/envelope';
import { assertSameBytes, expectFailure } from '../assertions.js';
import type { ConformanceCase, Requirement } from '../case.js';
import { context, otherContext, suite, wrapFresh } from '../fixtures.js';
import type { ConformanceHarness } from '../harness.js';

const bindsContext: Requirement = (h) =>
  h.bindsContext
    ? undefined
    : 'not applicable: the KMS does not bind the encryption context (the header tag does)';

async function unwrapUnder(harness: ConformanceHarness, other: EncryptionContext): Promise<void> {
  const a = await harness.keyringForKeyA();
  const { edk } = await wrapFresh(a, context);
  await expectFailure(
    unwrapDataKey(a, { suite, encryptionContext: other, encryptedDataKeys: [edk] }),
    'unwrapping under another encryption context',
    { codes: ['ERR_INVALID_CIPHERTEXT', 'ERR_DECRYPTION_FAILED'], retryable: false },
  );
}

export const contextCases: readonly ConformanceCase[] = [
  {
    id: 'context/unwrap-other-context',
    title: 'fails to unwrap under a different encryption context (ERR_INVALID_CIPHERTEXT, not retryable)',
    needs: bindsContext,
    run: (harness) => unwrapUnder(harness, otherContext),
  },
  {
    id: 'context/unwrap-empty-context',
    title: 'fails to unwrap under an empty encryption context when it was wrapped under one',
    needs: bindsContext,
    run: (harness) => unwrapUnder(harness, {}),
  },
  {
    id: 'context/message-stored-mismatch',
    title: 'a message whose stored context differs from the expected one fails with ERR_CONTEXT_MISMATCH',
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const { message } = await encrypt(randomBytes(64), { keyring: a, encryptionContext: context });
      await expectFailure(decrypt(message, { keyring: a, encryptionContext: otherContext }), 'decrypt', {
        codes: ['ERR_CONTEXT_MISMATCH'],
      });
    },
  },
  {
    id: 'context/message-required-mismatch',
    title:
      'a message with a wrong reproduced context fails: at unwrap where the KMS binds context, else at the header tag',
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const plaintext = randomBytes(64);
      const { message } = await encrypt(plaintext, {
        keyring: a,
        encryptionContext: context,
        requiredContextKeys: ['tenant'],
      });
      const right = await decrypt(message, { keyring: a, encryptionContext: { tenant: context['tenant']! } });
      assertSameBytes(right.plaintext, plaintext, 'control: the plaintext with the right reproduced context');
      const wrong = decrypt(message, { keyring: a, encryptionContext: { tenant: otherContext['tenant']! } });
      if (harness.bindsContext) {
        await expectFailure(wrong, 'decrypt with a wrong reproduced context', {
          codes: ['ERR_INVALID_CIPHERTEXT', 'ERR_DECRYPTION_FAILED'],
          retryable: false,
        });
      } else {
        await expectFailure(wrong, 'decrypt with a wrong reproduced context', {
          codes: ['ERR_DECRYPTION_FAILED'],
        });
      }
    },
  },
];
