import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ConformanceHarness } from '@polykms/conformance';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import { RawAesKeyring, RawRsaKeyring } from '@polykms/local';

// Local keyrings call no KMS: the cases about KMS calls, faults, key states and discovery are
// reported as not applicable; everything about EDKs, context, tampering and leaks applies.
const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };

const aesKeys = { A: randomBytes(32), B: randomBytes(32) };
const aes = (key: 'A' | 'B') =>
  new RawAesKeyring({ keyNamespace: 'polykms-local', keyName: `aes-${key}`, wrappingKey: aesKeys[key] });

const rawAes: ConformanceHarness = {
  name: 'local raw AES-256',
  providerId: 'polykms-local',
  remote: false,
  bindsContext: true,
  keyringForKeyA: () => aes('A'),
  keyringForKeyB: () => aes('B'),
  secrets: () => [
    { name: 'wrapping key A', value: aesKeys.A },
    { name: 'wrapping key B', value: aesKeys.B },
  ],
};

const rsaKeys = {
  A: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  B: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
const rsa = (key: 'A' | 'B') =>
  new RawRsaKeyring({
    keyNamespace: 'polykms-local',
    keyName: `rsa-${key}`,
    padding: 'oaep-sha256',
    ...rsaKeys[key],
  });

const rawRsa: ConformanceHarness = {
  name: 'local raw RSA OAEP-SHA256',
  providerId: 'polykms-local',
  remote: false,
  bindsContext: false,
  keyringForKeyA: () => rsa('A'),
  keyringForKeyB: () => rsa('B'),
  secrets: () =>
    (['A', 'B'] as const).map((key) => ({
      name: `private key ${key} (PKCS#8 DER)`,
      value: rsaKeys[key].privateKey.export({ type: 'pkcs8', format: 'der' }),
    })),
  encryptOnlyKeyringForKeyA: () =>
    new RawRsaKeyring({
      keyNamespace: 'polykms-local',
      keyName: 'rsa-A',
      padding: 'oaep-sha256',
      publicKey: rsaKeys.A.publicKey,
    }),
};

registerConformanceSuite(rawAes, { report });
registerConformanceSuite(rawRsa, { report });
