import { readFile } from 'node:fs/promises';
import { decrypt } from '@polykms/envelope';
import { CLOUD_NAMES, type DemoStep, describeCalls } from '../context.js';
import { sampleOrdersCsv } from '../sample-data.js';

export const decryptWithEach: DemoStep = {
  title: 'Decrypt with each cloud alone',
  async run(demo) {
    const message = await readFile(demo.path('orders.csv.pkms'));
    for (const cloud of ['aws', 'gcp'] as const) {
      const uri = demo.keys[cloud];
      demo.narrator.command(
        `polykms decrypt orders.csv.pkms --key ${demo.varOf(uri)} -e dataset=orders -o -`,
      );
      const keyring = await demo.keyring([uri], 'decrypt');
      const { result, calls } = await demo.countCalls(() =>
        decrypt(message, { keyring, encryptionContext: { dataset: 'orders' } }),
      );
      const same = Buffer.from(result.plaintext).equals(sampleOrdersCsv());
      demo.narrator.say(
        `${CLOUD_NAMES[cloud]} alone: ${same ? 'plaintext identical' : 'MISMATCH'}; KMS calls: ${describeCalls(calls)}`,
      );
    }
  },
};
