import { type KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ConformanceHarness } from '@polykms/conformance';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import type { Keyring } from '@polykms/envelope';
import { RawAesKeyring, RawEcdhKeyring, RawRsaKeyring } from '@polykms/local';

// Local keyrings call no KMS: the cases about KMS calls, faults, key states and discovery are
// reported as not applicable; everything about EDKs, context, tampering and leaks applies.
const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };

/** A private key as a secret the leak cases search for (its PKCS#8 DER bytes). */
const privateKeySecret = (name: string, key: KeyObject) => ({
  name: `private key ${name}`,
  value: key.export({ type: 'pkcs8', format: 'der' }),
});

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
  secrets: () => (['A', 'B'] as const).map((key) => privateKeySecret(key, rsaKeys[key].privateKey)),
  encryptOnlyKeyringForKeyA: () =>
    new RawRsaKeyring({
      keyNamespace: 'polykms-local',
      keyName: 'rsa-A',
      padding: 'oaep-sha256',
      publicKey: rsaKeys.A.publicKey,
    }),
};

// Raw ECDH, static pairs: keys A and B are two senders' static pairs to one recipient, so that
// the recipient's discovery keyring admits both, and another recipient's refuses both.
const ecdhPair = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const staticKeys = {
  A: ecdhPair('prime256v1'),
  B: ecdhPair('prime256v1'),
  recipient: ecdhPair('prime256v1'),
  stranger: ecdhPair('prime256v1'),
};
const staticSender = (key: 'A' | 'B') =>
  new RawEcdhKeyring({
    schema: 'static',
    curve: 'P-256',
    senderPrivateKey: staticKeys[key].privateKey,
    recipientPublicKey: staticKeys.recipient.publicKey,
  });

const rawEcdhStatic: ConformanceHarness = {
  name: 'local raw ECDH static P-256',
  providerId: 'raw-ecdh',
  remote: false,
  bindsContext: true,
  keyringForKeyA: () => staticSender('A'),
  keyringForKeyB: () => staticSender('B'),
  secrets: () =>
    (['A', 'B', 'recipient', 'stranger'] as const).map((key) =>
      privateKeySecret(key, staticKeys[key].privateKey),
    ),
  discoveryKeyring: (filter) =>
    new RawEcdhKeyring({
      schema: 'discovery',
      curve: 'P-256',
      recipientPrivateKey: staticKeys[filter === 'admit' ? 'recipient' : 'stranger'].privateKey,
    }),
};

// Raw ECDH, ephemeral senders: an ephemeral keyring only encrypts and a discovery keyring only
// decrypts, so "key A" is the deployed pair, senders wrapping with the ephemeral keyring and the
// recipient (A or B) unwrapping with its discovery keyring; the ephemeral keyring alone is the
// encrypt-only keyring. Its discovery hook is left out: keys A and B are different recipients,
// which no single discovery keyring admits (the static harness runs the discovery cases).
const ephemeralRecipients = { A: ecdhPair('secp384r1'), B: ecdhPair('secp384r1') };
const ephemeralSender = (key: 'A' | 'B') =>
  new RawEcdhKeyring({
    schema: 'ephemeral',
    curve: 'P-384',
    recipientPublicKey: ephemeralRecipients[key].publicKey,
  });
const senderAndRecipient = (key: 'A' | 'B'): Keyring => {
  const sender = ephemeralSender(key);
  const recipient = new RawEcdhKeyring({
    schema: 'discovery',
    curve: 'P-384',
    recipientPrivateKey: ephemeralRecipients[key].privateKey,
  });
  return {
    description: `${sender.description} / ${recipient.description}`,
    wrap: (request) => sender.wrap(request),
    unwrap: (request) => recipient.unwrap(request),
  };
};

const rawEcdhEphemeral: ConformanceHarness = {
  name: 'local raw ECDH ephemeral to discovery P-384',
  providerId: 'raw-ecdh',
  remote: false,
  bindsContext: true,
  keyringForKeyA: () => senderAndRecipient('A'),
  keyringForKeyB: () => senderAndRecipient('B'),
  secrets: () =>
    (['A', 'B'] as const).map((key) => privateKeySecret(key, ephemeralRecipients[key].privateKey)),
  encryptOnlyKeyringForKeyA: () => ephemeralSender('A'),
};

registerConformanceSuite(rawAes, { report });
registerConformanceSuite(rawRsa, { report });
registerConformanceSuite(rawEcdhStatic, { report });
registerConformanceSuite(rawEcdhEphemeral, { report });
