import { createHash } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import { decrypt } from '@polykms/envelope';
import { KeysetKeyring, inspectKeyset, readKeysetFile, rewrapKeyset, writeKeysetFile } from '@polykms/keyset';
import { type DemoStep, describeCalls, providersOf, refusal } from '../context.js';
import { KEYSET_BACKUP_FILE, KEYSET_FILE, RECORDS, recordFile, sampleRecord } from '../sample-data.js';

/** Each record file's SHA-256, to show which bytes a step wrote. */
async function recordHashes(read: (i: number) => Promise<Buffer>): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < RECORDS; i++)
    hashes.push(
      createHash('sha256')
        .update(await read(i))
        .digest('hex'),
    );
  return hashes;
}

/** One digest over every record's hash: equal before and after means not one byte changed. */
const digestOf = (hashes: readonly string[]) =>
  createHash('sha256').update(hashes.join('\n')).digest('hex').slice(0, 16);

export const keysetToAzure: DemoStep = {
  title: 'Move the keyset to Azure and drop AWS: one keyset rewrite, no data touched',
  async run(demo) {
    const n = demo.narrator;
    const { aws, gcp, azure } = demo.keys;
    const readRecord = (i: number) => readFile(demo.path(recordFile(i)));
    n.command(
      `cp ${KEYSET_FILE} ${KEYSET_BACKUP_FILE}   # any old copy: a backup, a snapshot, a versioned bucket`,
    );
    await copyFile(demo.path(KEYSET_FILE), demo.path(KEYSET_BACKUP_FILE));
    const before = await recordHashes(readRecord);

    n.command(
      `polykms keyset rewrap ${KEYSET_FILE} --unlock ${demo.varOf(gcp)} --add-key ${demo.varOf(azure)} --remove-key ${demo.varOf(aws)}`,
    );
    const current = await readKeysetFile(demo.path(KEYSET_FILE));
    const unlock = await demo.keyring([gcp], 'decrypt');
    const recipients = await demo.keyring([gcp, azure], 'encrypt');
    const rewrapped = await demo.countCalls(() => rewrapKeyset(current, { unlock, keyring: recipients }));
    await writeKeysetFile(demo.path(KEYSET_FILE), rewrapped.result);
    const after = await recordHashes(readRecord);
    const changed = after.filter((hash, i) => hash !== before[i]).length;

    n.say(
      `keyset: generation ${inspectKeyset(current).generation} -> ${inspectKeyset(rewrapped.result).generation}, ` +
        `recipients ${providersOf(current)} -> ${providersOf(rewrapped.result)}; ` +
        `${rewrapped.result.length} bytes written; KMS calls: ${describeCalls(rewrapped.calls)}`,
    );
    n.say(
      `records: ${changed} of ${RECORDS.toLocaleString('en')} files changed ` +
        `(SHA-256 of all records: ${digestOf(before)} before, ${digestOf(after)} after): 0 data bytes written`,
    );

    n.command(`polykms decrypt records/0000.json.pkms --keyset ${KEYSET_FILE} --unlock ${demo.varOf(azure)}`);
    const read = await demo.countCalls(async () => {
      const keyset = await demo.openKeyset(KEYSET_FILE, azure);
      try {
        const keyring = new KeysetKeyring(keyset);
        let identical = 0;
        for (let i = 0; i < RECORDS; i++) {
          const { plaintext } = await decrypt(await readRecord(i), { keyring });
          if (Buffer.from(plaintext).equals(sampleRecord(i))) identical++;
        }
        return identical;
      } finally {
        keyset.close();
      }
    });
    n.say(
      `through Azure: ${read.result.toLocaleString('en')} of ${RECORDS.toLocaleString('en')} records identical; ` +
        `KMS calls: ${describeCalls(read.calls)}`,
    );
    n.command(`polykms decrypt records/0000.json.pkms --keyset ${KEYSET_FILE} --unlock ${demo.varOf(aws)}`);
    n.say(`AWS opening the new keyset: ${await refusal(() => demo.openKeyset(KEYSET_FILE, aws))}`);
  },
};
