import { CachingKeyring, encrypt } from '@polykms/envelope';
import type { DemoStep } from '../context.js';
import { ORDERS_CONTEXT, RECORDS, sampleRecord } from '../sample-data.js';

export const recordCache: DemoStep = {
  title: `Encrypt ${RECORDS.toLocaleString('en')} small records, without and with the data-key cache`,
  async run(demo) {
    const awsOnly = await demo.keyring([demo.keys.aws], 'encrypt');
    const encryptAll = (keyring: typeof awsOnly) => async () => {
      for (let i = 0; i < RECORDS; i++)
        await encrypt(sampleRecord(i), { keyring, encryptionContext: ORDERS_CONTEXT });
    };
    const uncached = await demo.countCalls(encryptAll(awsOnly));
    const caching = new CachingKeyring({ keyring: awsOnly, maxAge: 5 * 60_000, maxMessages: RECORDS });
    const cached = await demo.countCalls(encryptAll(caching));
    demo.narrator.say(
      `without a cache: ${uncached.calls.aws.toLocaleString('en')} AWS KMS calls (one GenerateDataKey per record)\n` +
        `with CachingKeyring (maxAge 5 min, maxMessages ${RECORDS}): ${cached.calls.aws} AWS KMS call(s)\n` +
        'Each message still derives its own key from the data key and its random message id.\n' +
        'A keyset (next) goes further: no KMS call per message at all, and a move between clouds\n' +
        'that never touches the data.',
    );
  },
};
