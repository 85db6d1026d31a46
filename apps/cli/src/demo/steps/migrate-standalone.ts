import { readFile, writeFile } from 'node:fs/promises';
import { decrypt, parseHeader } from '@polykms/envelope';
import { KeysetKeyring } from '@polykms/keyset';
import { classifyForKeyset, keysetRewrapPlan } from '../../migration-target.js';
import { recipientsOf } from '../../recipients.js';
import { rewrapMessage } from '../../rewrap-message.js';
import { type DemoStep, describeCalls, providersOf, refusal } from '../context.js';
import { KEYSET_FILE, sampleOrdersCsv } from '../sample-data.js';

const idOf = (message: Uint8Array) =>
  Buffer.from(parseHeader(message).messageId).toString('hex').slice(0, 16);

export const migrateStandalone: DemoStep = {
  title: 'Migrate a standalone file under the keyset, by re-encryption',
  async run(demo) {
    const n = demo.narrator;
    const { aws, gcp, azure } = demo.keys;
    const path = demo.path('orders.csv.pkms');
    const original = await readFile(path);
    n.command(
      `polykms migrate . --from ${demo.varOf(aws)} --key ${demo.varOf(gcp)} --keyset ${KEYSET_FILE} --unlock ${demo.varOf(azure)}`,
    );
    const from = await recipientsOf([aws]);
    const keyset = await demo.openKeyset(KEYSET_FILE, azure);
    try {
      const keyring = new KeysetKeyring(keyset);
      const plan = keysetRewrapPlan(
        await demo.keyring([aws, gcp], 'decrypt'),
        keyring,
        keyset.keysetId,
        KEYSET_FILE,
        demo.clouds.settings,
      );
      const moved = await demo.countCalls(() => rewrapMessage(original, plan));
      const message = moved.result.message;
      await writeFile(path, message);
      n.say(
        `orders.csv.pkms: message id ${idOf(original)}… -> ${idOf(message)}…, recipients ` +
          `${providersOf(original)} -> ${providersOf(message)}; KMS calls: ${describeCalls(moved.calls)}\n` +
          'A new data key and a new body: the old copy and the new one share no key (a header-only\n' +
          'rewrite would let anyone holding both forge the file). From now on this file moves with\n' +
          'the keyset: `keyset rewrap`, no re-encryption.',
      );
      const { plaintext } = await decrypt(message, { keyring });
      n.say(
        `through the keyset: ${Buffer.from(plaintext).equals(sampleOrdersCsv()) ? 'plaintext identical' : 'MISMATCH'}`,
      );
      n.say(
        `run again: ${classifyForKeyset(parseHeader(message), from, keyset.keysetId)} (seen from the header, no KMS call)`,
      );
    } finally {
      keyset.close();
    }
    const awsOnly = await demo.keyring([aws], 'decrypt');
    n.command(`polykms decrypt orders.csv.pkms --key ${demo.varOf(aws)}   # the new file`);
    n.say(
      `new file through AWS: ${await refusal(async () => decrypt(await readFile(path), { keyring: awsOnly }))}`,
    );
    n.command(`polykms decrypt old-copy-of-orders.csv.pkms --key ${demo.varOf(aws)}`);
    n.say(`old copy through AWS: ${await refusal(() => decrypt(original, { keyring: awsOnly }))}`);
  },
};
