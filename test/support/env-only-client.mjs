// Run as its own Node process by test/emulator-sdks.test.ts with nothing but the variables that
// `startEmulator().env` / `polykms-emulator` export: the unchanged AWS and Azure SDKs, given no
// endpoint, credential, certificate or client option in code, round-trip a key through the
// emulator (Azure's challenge-resource check passes as it is: see the emulator README).
// Prints one JSON line: what worked, or the failing cloud and its error code.
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { DefaultAzureCredential } from '@azure/identity';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';

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

for (const [cloud, run] of [
  ['aws', aws],
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
