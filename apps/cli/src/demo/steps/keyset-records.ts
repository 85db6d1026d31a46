import { mkdir, writeFile } from 'node:fs/promises';
import { encrypt } from '@polykms/envelope';
import { KeysetKeyring, createKeyset, inspectKeyset, writeKeysetFile } from '@polykms/keyset';
import { type DemoStep, describeCalls } from '../context.js';
import { KEYSET_FILE, ORDERS_CONTEXT, RECORDS, recordFile, sampleRecord } from '../sample-data.js';

export const keysetRecords: DemoStep = {
  title: `Put ${RECORDS.toLocaleString('en')} records under a keyset wrapped by AWS + Google Cloud`,
  async run(demo) {
    const n = demo.narrator;
    const { aws, gcp } = demo.keys;
    n.command(`polykms keyset create ${KEYSET_FILE} --key ${demo.varOf(aws)} --key ${demo.varOf(gcp)}`);
    const recipients = await demo.keyring([aws, gcp], 'encrypt');
    const created = await demo.countCalls(() => createKeyset({ keyring: recipients }));
    await writeKeysetFile(demo.path(KEYSET_FILE), created.result);
    const info = inspectKeyset(created.result);
    n.say(
      `keyset ${info.keysetId}, generation ${info.generation}: one 256-bit version key in a ` +
        `${created.result.length}-byte file, wrapped by AWS and Google Cloud; KMS calls: ${describeCalls(created.calls)}`,
    );

    n.command(
      `polykms encrypt records/0000.json --keyset ${KEYSET_FILE} --unlock ${demo.varOf(aws)}   # and so on`,
    );
    const opened = await demo.countCalls(() => demo.openKeyset(KEYSET_FILE, aws));
    const keyset = opened.result;
    try {
      const keyring = new KeysetKeyring(keyset);
      await mkdir(demo.path('records'));
      const written = await demo.countCalls(async () => {
        for (let i = 0; i < RECORDS; i++) {
          const { message } = await encrypt(sampleRecord(i), { keyring, encryptionContext: ORDERS_CONTEXT });
          await writeFile(demo.path(recordFile(i)), message);
        }
      });
      n.say(
        `opening the keyset: KMS calls: ${describeCalls(opened.calls)}\n` +
          `encrypting ${RECORDS.toLocaleString('en')} records into records/: KMS calls: ${describeCalls(written.calls)}\n` +
          'Each record has its own data key, wrapped locally under the keyset (a fresh salt and key per\n' +
          'wrap), so one process opens the keyset once and calls no KMS per record.',
      );
    } finally {
      keyset.close();
    }
  },
};
