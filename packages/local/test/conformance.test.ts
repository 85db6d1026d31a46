import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type ConformanceHarness, registerConformanceSuite } from '@polykms/conformance';
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
  encryptOnlyKeyringForKeyA: () =>
    new RawRsaKeyring({
      keyNamespace: 'polykms-local',
      keyName: 'rsa-A',
      padding: 'oaep-sha256',
      publicKey: rsaKeys.A.publicKey,
    }),
};

registerConformanceSuite(rawAes, {
  report,
  // RawAesKeyring treats an EDK of its own with a ciphertext of the wrong length as not its own
  // (null) instead of failing it; the ESDK spec filters on namespace and key name only.
  waive: Object.fromEntries(
    ['truncated-by-one-byte', 'cut-in-half', 'extended-by-one-byte'].map((c) => [
      `tampering/ciphertext-${c}`,
      'RawAesKeyring returns null for its own EDK when the ciphertext length is wrong',
    ]),
  ),
});
registerConformanceSuite(rawRsa, { report });
