import { readFile } from 'node:fs/promises';
import { decrypt } from '@polykms/envelope';
import { type DemoStep, describeCalls, refusal } from '../context.js';
import { sampleOrdersCsv } from '../sample-data.js';

export const awsOutage: DemoStep = {
  title: 'AWS goes down: decrypt through Google Cloud anyway',
  async run(demo) {
    const n = demo.narrator;
    const { aws, gcp } = demo.keys;
    const message = await readFile(demo.path('orders.csv.pkms'));
    const recover = demo.clouds.outage('aws');
    try {
      n.say('(fault injected into the emulator: every AWS KMS call now fails as unavailable)');
      n.command(`polykms decrypt orders.csv.pkms --key ${demo.varOf(aws)}`);
      const awsOnly = await demo.keyring([aws], 'decrypt');
      n.say(`AWS only: ${await refusal(() => decrypt(message, { keyring: awsOnly }))}`);
      n.command(`polykms decrypt orders.csv.pkms --key ${demo.varOf(aws)} --key ${demo.varOf(gcp)}`);
      const both = await demo.keyring([aws, gcp], 'decrypt');
      const { result, calls } = await demo.countCalls(() => decrypt(message, { keyring: both }));
      const same = Buffer.from(result.plaintext).equals(sampleOrdersCsv());
      n.say(
        `AWS then Google Cloud: ${same ? 'ok' : 'MISMATCH'}, opened by ${result.encryptedDataKey.providerId}; ` +
          `KMS calls: ${describeCalls(calls)}`,
      );
    } finally {
      recover();
    }
    n.say('(AWS is back)');
  },
};
