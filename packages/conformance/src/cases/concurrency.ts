import { randomBytes } from 'node:crypto';
import { decrypt, encrypt } from '@polykms/envelope';
import { assertSameBytes } from '../assertions.js';
import type { ConformanceCase } from '../case.js';
import { context } from '../fixtures.js';

const OPERATIONS = 100;

export const concurrencyCases: readonly ConformanceCase[] = [
  {
    id: 'concurrency/100-messages',
    title: `${OPERATIONS} concurrent encrypts and then ${OPERATIONS} concurrent decrypts on one keyring all round-trip`,
    async run(harness) {
      const keyring = await harness.keyringForKeyA();
      const plaintexts = Array.from({ length: OPERATIONS }, (_, i) => randomBytes(16 + i));
      const messages = await Promise.all(
        plaintexts.map((p, i) =>
          encrypt(p, { keyring, encryptionContext: { ...context, index: String(i) } }).then((r) => r.message),
        ),
      );
      const opened = await Promise.all(messages.map((m) => decrypt(m, { keyring })));
      opened.forEach((o, i) => {
        assertSameBytes(o.plaintext, plaintexts[i]!, `plaintext ${i}`);
      });
    },
  },
];
