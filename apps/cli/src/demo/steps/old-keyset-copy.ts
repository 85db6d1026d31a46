import { readFile } from 'node:fs/promises';
import { decrypt } from '@polykms/envelope';
import { KeysetKeyring } from '@polykms/keyset';
import { type DemoStep, refusal } from '../context.js';
import { KEYSET_BACKUP_FILE, recordFile, sampleRecord } from '../sample-data.js';

export const oldKeysetCopy: DemoStep = {
  title: 'An old copy of the keyset works until its AWS key is disabled',
  async run(demo) {
    const n = demo.narrator;
    const { aws } = demo.keys;
    const record = await readFile(demo.path(recordFile(0)));
    const openWithBackup = async () => {
      const keyset = await demo.openKeyset(KEYSET_BACKUP_FILE, aws);
      try {
        const { plaintext } = await decrypt(record, { keyring: new KeysetKeyring(keyset) });
        return Buffer.from(plaintext).equals(sampleRecord(0));
      } finally {
        keyset.close();
      }
    };
    const command = `polykms decrypt records/0000.json.pkms --keyset ${KEYSET_BACKUP_FILE} --unlock ${demo.varOf(aws)}`;
    n.command(command);
    n.say(
      `old copy through AWS: ${(await openWithBackup()) ? 'opens, record identical' : 'MISMATCH'} ` +
        '(a rewrap changes the file, not the copies of it)',
    );
    n.command('aws kms disable-key --key-id …   # done here in the emulator, through the AWS SDK');
    await demo.clouds.disableAwsKey(aws);
    n.command(command);
    n.say(`old copy through AWS, key disabled: ${await refusal(openWithBackup)}`);
    n.say(
      'Google Cloud is still a recipient of both copies, so it still opens the backup. A key dropped\n' +
        'from a keyset keeps what it could open before: disable it, or rotate the keyset and re-encrypt\n' +
        'the data to cut old copies off (docs/threat-model.md).',
    );
  },
};
