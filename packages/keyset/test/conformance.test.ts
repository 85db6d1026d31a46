import { fileURLToPath } from 'node:url';
import type { ConformanceHarness } from '@polykms/conformance';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import { afterAll } from 'vitest';
import { type Keyset, KeysetKeyring, createKeyset, openKeyset, rotateKeyset } from '../src/index.js';
import { aesKeyring } from './support.js';

// A keyset keyring calls no KMS (the keyset was opened once, before): the cases about KMS calls,
// faults and key states are not applicable; everything about EDKs, context binding, isolation,
// tampering, rotation and leaks applies. Keys A and B are two keysets under one KEK.
const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };
const kek = aesKeyring('conformance-kek');
const stored = { A: await createKeyset({ keyring: kek }), B: await createKeyset({ keyring: kek }) };
const opened: Keyset[] = [];

async function keyringFor(key: 'A' | 'B'): Promise<KeysetKeyring> {
  const keyset = await openKeyset(stored[key], { keyring: kek });
  opened.push(keyset);
  return new KeysetKeyring(keyset);
}

const harness: ConformanceHarness = {
  name: 'keyset (local KEK)',
  providerId: 'polykms-keyset',
  remote: false,
  bindsContext: true,
  keyringForKeyA: () => keyringFor('A'),
  keyringForKeyB: () => keyringFor('B'),
  admin: {
    // A keyset rotation: a new primary version; keyrings opened from the new generation still
    // unwrap what the old primary wrapped.
    rotateKey: async (key) => {
      stored[key] = await rotateKeyset(stored[key], { unlock: kek });
    },
  },
};

registerConformanceSuite(harness, { report });
afterAll(() => {
  for (const keyset of opened) keyset.close();
});
