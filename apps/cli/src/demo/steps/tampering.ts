import { readFile } from 'node:fs/promises';
import { decrypt, parseHeader } from '@polykms/envelope';
import { KeysetKeyring } from '@polykms/keyset';
import { type DemoStep, refusal } from '../context.js';
import { KEYSET_FILE } from '../sample-data.js';

export const tampering: DemoStep = {
  title: 'Tampering is caught',
  async run(demo) {
    const tampered = await readFile(demo.path('orders.csv.pkms'));
    const headerLength = parseHeader(tampered).length;
    const offset = headerLength + Math.floor((tampered.length - headerLength) / 2);
    tampered[offset] = (tampered[offset] ?? 0) ^ 0x01;
    demo.narrator.command(
      `polykms decrypt tampered.pkms --keyset ${KEYSET_FILE} --unlock …   # one bit flipped in the middle of the body`,
    );
    const keyset = await demo.openKeyset(KEYSET_FILE, demo.keys.gcp);
    try {
      const keyring = new KeysetKeyring(keyset);
      const outcome = await refusal(() => decrypt(tampered, { keyring }));
      demo.narrator.say(`bit ${offset * 8} flipped: ${outcome}, no plaintext released`);
    } finally {
      keyset.close();
    }
  },
};
