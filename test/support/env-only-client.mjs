// Run as its own Node process by test/emulator-sdks.test.ts with nothing but the variables that
// `startEmulator().env` / `polykms-emulator` export: the unchanged AWS and Azure SDKs, given no
// endpoint, credential, certificate or client option in code, round-trip a key through the
// emulator (Azure's challenge-resource check passes as it is: see the emulator README).
// Prints one JSON line: what worked, or the failing cloud and its error code.
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { DefaultAzureCredential } from '@azure/identity';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
// The Google Node client has no endpoint variable: @polykms/gcp-kms's defaultClient() reads the
// emulator's POLYKMS_GCP_KMS_ENDPOINT (and METADATA_SERVER_DETECTION=none stops the metadata probe).
import { defaultClient } from '@polykms/gcp-kms';

const secret = Buffer.from('thirty-two bytes of a data key!!');
const report = {};

async function aws() {
  const kms = new KMSClient({});
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const { CiphertextBlob } = await kms.send(
    new EncryptCommand({ KeyId: KeyMetadata.Arn, Plaintext: secret }),
  );
  const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
  report.aws = { keyArn: KeyMetadata.Arn, roundTrip: Buffer.from(Plaintext).equals(secret) };
  kms.destroy();
}

async function azure() {
  const credential = new DefaultAzureCredential();
  const keys = new KeyClient(process.env.AZURE_KEYVAULT_URL, credential);
  const key = await keys.createRsaKey(`env-only-${process.pid}`, { keySize: 2048 });
  const crypto = new CryptographyClient(key.id, credential);
  const wrapped = await crypto.wrapKey('RSA-OAEP-256', secret);
  const unwrapped = await crypto.unwrapKey('RSA-OAEP-256', wrapped.result);
  report.azure = { keyId: key.id, roundTrip: Buffer.from(unwrapped.result).equals(secret) };
}

async function gcp() {
  const kms = defaultClient();
  const parent = kms.locationPath(process.env.POLYKMS_GCP_PROJECT, process.env.POLYKMS_GCP_LOCATION);
  const [ring] = await kms.createKeyRing({ parent, keyRingId: `env-only-${process.pid}`, keyRing: {} });
  const [key] = await kms.createCryptoKey({
    parent: ring.name,
    cryptoKeyId: 'k',
    cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
  });
  const [{ ciphertext }] = await kms.encrypt({ name: key.name, plaintext: secret });
  const [{ plaintext }] = await kms.decrypt({ name: key.name, ciphertext });
  report.gcp = { keyName: key.name, roundTrip: Buffer.from(plaintext).equals(secret) };
  await kms.close();
}

for (const [cloud, run] of [
  ['aws', aws],
  ['gcp', gcp],
  ['azure', azure],
]) {
  try {
    await run();
  } catch (error) {
    // The root cause's code (e.g. a TLS verification failure), never a message with secrets.
    let cause = error;
    while (cause?.cause && !cause.code) cause = cause.cause;
    report[cloud] = { error: String(cause?.code ?? cause?.name ?? 'unknown') };
  }
}
process.stdout.write(`${JSON.stringify(report)}\n`);
