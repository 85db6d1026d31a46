import { writeFile } from 'node:fs/promises';
import { encrypt } from '@polykms/envelope';
import { type DemoStep, describeCalls } from '../context.js';
import { ORDERS_CONTEXT, sampleOrdersCsv } from '../sample-data.js';

export const encryptForTwoClouds: DemoStep = {
  title: 'Encrypt a file for AWS + Google Cloud: one data key, wrapped by both',
  async run(demo) {
    const n = demo.narrator;
    const { aws, gcp } = demo.keys;
    const plaintext = sampleOrdersCsv();
    await writeFile(demo.path('orders.csv'), plaintext);
    n.command(
      `polykms encrypt orders.csv --key ${demo.varOf(aws)} --key ${demo.varOf(gcp)} -c dataset=orders -c purpose=polykms-demo`,
    );
    const keyring = await demo.keyring([aws, gcp], 'encrypt');
    const { result, calls } = await demo.countCalls(() =>
      encrypt(plaintext, { keyring, encryptionContext: ORDERS_CONTEXT }),
    );
    await writeFile(demo.path('orders.csv.pkms'), result.message);
    n.say(
      `orders.csv (${plaintext.length} bytes) -> orders.csv.pkms (${result.message.length} bytes); ` +
        `KMS calls: ${describeCalls(calls)}`,
    );
    n.say('The body is encrypted once with the data key; each cloud only wraps that 32-byte key.');
  },
};
