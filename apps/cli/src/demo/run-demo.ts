import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cloud, startEmulator } from '@polykms/emulator';
import {
  CachingKeyring,
  type Keyring,
  NoDecryptableKeyError,
  decrypt,
  encrypt,
  isPolykmsError,
  parseHeader,
} from '@polykms/envelope';
import { type KeyUriOptions, keyringFromUris } from '@polykms/key-uri';
import { formatInspectReport, inspectFile } from '../commands/inspect.js';
import { exitCodeFor } from '../exit-codes.js';
import { RecipientKeyrings } from '../recipient-keyrings.js';
import { recipientsOf } from '../recipients.js';
import { rewrapMessage } from '../rewrap-message.js';
import { createAwsKey, createAzureKey, createGcpKey, emulatorProviderSettings } from './emulator-clouds.js';
import { Narrator } from './narrator.js';
import { sampleOrdersCsv, sampleRecord } from './sample-data.js';

const CONTEXT = { dataset: 'orders', purpose: 'polykms-demo' };
const RECORDS = 1000;
const CLOUD_NAMES: Record<Cloud, string> = {
  aws: 'AWS KMS',
  gcp: 'Google Cloud KMS',
  azure: 'Azure Key Vault',
};

export interface DemoOptions {
  /** Keep the working directory instead of deleting it at the end. */
  readonly keep?: boolean;
  readonly write?: (text: string) => void;
  readonly color?: boolean;
}

/** How the CLI would report it: its exit code, the error code and the message. */
function failureOf(error: unknown): string {
  if (!isPolykmsError(error)) throw error;
  const why =
    error instanceof NoDecryptableKeyError && error.failures.length > 0
      ? error.failures.map((f) => `${f.recipient.split(' ')[0]}: ${f.error.code}`).join(', ')
      : error.message;
  return `exit code ${exitCodeFor(error)} — ${error.code} (${why})`;
}

/**
 * The migration story on the embedded emulator: no account, no flags. Each step prints the
 * command that does the same from a shell, then what happened, with the KMS calls it cost.
 */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const n = new Narrator(options.write ?? ((text) => process.stdout.write(text)), options.color ?? false);
  const workDir = await mkdtemp(join(tmpdir(), 'polykms-demo-'));
  const emulator = await startEmulator({ adminPort: false });
  const { control } = emulator;
  const callsTo = (cloud: Cloud) => control.calls({ cloud }).total;
  const countCalls = async <T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; calls: Record<Cloud, number> }> => {
    const before = { aws: callsTo('aws'), gcp: callsTo('gcp'), azure: callsTo('azure') };
    const result = await work();
    return {
      result,
      calls: {
        aws: callsTo('aws') - before.aws,
        gcp: callsTo('gcp') - before.gcp,
        azure: callsTo('azure') - before.azure,
      },
    };
  };
  const describeCalls = (calls: Record<Cloud, number>) =>
    (Object.keys(calls) as Cloud[])
      .filter((c) => calls[c] > 0)
      .map((c) => `${calls[c]} ${CLOUD_NAMES[c]}`)
      .join(', ') || 'none';

  try {
    n.title('polykms demo: one message readable through several clouds, and moving it between them');
    n.say(
      'Everything below runs against an embedded emulator of AWS KMS, Google Cloud KMS and Azure Key\n' +
        'Vault on 127.0.0.1, driven through the official SDK clients. No account, no network.\n' +
        `Working directory: ${workDir}`,
    );

    const settings: KeyUriOptions = await emulatorProviderSettings(emulator);
    const keyring = (uris: string[], purpose: 'encrypt' | 'decrypt'): Promise<Keyring> =>
      keyringFromUris(uris, { ...settings, purpose });

    n.step('Create a key in each cloud');
    const aws = await createAwsKey(emulator.aws, 'polykms demo');
    const gcp = await createGcpKey(emulator.gcp, 'polykms-demo', 'orders');
    const azure = await createAzureKey(emulator.azure, 'polykms-demo-orders');
    n.say(`AWS KMS            AWS=${aws}\nGoogle Cloud KMS   GCP=${gcp}\nAzure Key Vault    AZURE=${azure}`);
    const varOf = (uri: string) => (uri === aws ? '$AWS' : uri === gcp ? '$GCP' : '$AZURE');

    n.step('Encrypt a file for AWS + Google Cloud: one data key, wrapped by both');
    const plaintext = sampleOrdersCsv();
    const plainPath = join(workDir, 'orders.csv');
    const messagePath = `${plainPath}.pkms`;
    await writeFile(plainPath, plaintext);
    n.command(
      `polykms encrypt orders.csv --key ${varOf(aws)} --key ${varOf(gcp)} -c dataset=orders -c purpose=polykms-demo`,
    );
    const encrypted = await countCalls(async () =>
      encrypt(plaintext, { keyring: await keyring([aws, gcp], 'encrypt'), encryptionContext: CONTEXT }),
    );
    await writeFile(messagePath, encrypted.result.message);
    n.say(
      `orders.csv (${plaintext.length} bytes) -> orders.csv.pkms (${encrypted.result.message.length} bytes); ` +
        `KMS calls: ${describeCalls(encrypted.calls)}`,
    );
    n.say('The body is encrypted once with the data key; each cloud only wraps that 32-byte key.');

    n.step('Inspect it: the header says who can decrypt, no key needed');
    n.command('polykms inspect orders.csv.pkms');
    n.say(formatInspectReport(await inspectFile(messagePath)).replaceAll(workDir, '.'));

    n.step('Decrypt with each cloud alone');
    const original = await readFile(messagePath);
    for (const [name, uri] of [
      ['AWS KMS', aws],
      ['Google Cloud KMS', gcp],
    ] as const) {
      n.command(`polykms decrypt orders.csv.pkms --key ${varOf(uri)} -e dataset=orders -o -`);
      const opened = await countCalls(async () =>
        decrypt(original, {
          keyring: await keyring([uri], 'decrypt'),
          encryptionContext: { dataset: 'orders' },
        }),
      );
      const same = Buffer.from(opened.result.plaintext).equals(plaintext);
      n.say(
        `${name} alone: ${same ? 'plaintext identical' : 'MISMATCH'}; KMS calls: ${describeCalls(opened.calls)}`,
      );
    }

    n.step('AWS goes down: decrypt through Google Cloud anyway');
    const fault = control.injectFault({ cloud: 'aws', kind: 'unavailable' });
    n.say('(fault injected into the emulator: every AWS KMS call now fails as unavailable)');
    n.command(`polykms decrypt orders.csv.pkms --key ${varOf(aws)}`);
    try {
      await decrypt(original, { keyring: await keyring([aws], 'decrypt') });
      n.say('unexpected: AWS answered');
    } catch (error) {
      n.say(`AWS only: fails, ${failureOf(error)}`);
    }
    n.command(`polykms decrypt orders.csv.pkms --key ${varOf(aws)} --key ${varOf(gcp)}`);
    const failover = await countCalls(async () =>
      decrypt(original, { keyring: await keyring([aws, gcp], 'decrypt') }),
    );
    n.say(
      `AWS then Google Cloud: ${Buffer.from(failover.result.plaintext).equals(plaintext) ? 'ok' : 'MISMATCH'}, ` +
        `opened by ${failover.result.encryptedDataKey.providerId}; KMS calls: ${describeCalls(failover.calls)}`,
    );
    control.clearFault(fault);
    n.say('(AWS is back)');

    n.step(`Encrypt ${RECORDS.toLocaleString('en')} small records, without and with the data-key cache`);
    const awsOnly = await keyring([aws], 'encrypt');
    const uncached = await countCalls(async () => {
      for (let i = 0; i < RECORDS; i++)
        await encrypt(sampleRecord(i), { keyring: awsOnly, encryptionContext: CONTEXT });
    });
    const caching = new CachingKeyring({ keyring: awsOnly, maxAge: 5 * 60_000, maxMessages: RECORDS });
    const cached = await countCalls(async () => {
      for (let i = 0; i < RECORDS; i++)
        await encrypt(sampleRecord(i), { keyring: caching, encryptionContext: CONTEXT });
    });
    n.say(
      `without a cache: ${uncached.calls.aws.toLocaleString('en')} AWS KMS calls (one GenerateDataKey per record)\n` +
        `with CachingKeyring (maxAge 5 min, maxMessages ${RECORDS}): ${cached.calls.aws} AWS KMS call(s)\n` +
        'Each message still derives its own key from the data key and its random message id.',
    );

    n.step('Migrate: rewrap the file to Azure and drop AWS, by re-encrypting it');
    n.command(
      `polykms rewrap orders.csv.pkms --key ${varOf(gcp)} --add-key ${varOf(azure)} --remove-key ${varOf(aws)}`,
    );
    const removed = await recipientsOf([aws]);
    const added = await recipientsOf([azure]);
    const rewrapped = await countCalls(async () =>
      rewrapMessage(original, {
        unwrapKeyring: await keyring([gcp], 'decrypt'),
        addKeyring: await keyring([azure], 'encrypt'),
        added,
        removed,
        keyrings: new RecipientKeyrings(added, settings),
        method: 're-encrypt',
      }),
    );
    const moved = rewrapped.result.message;
    await writeFile(messagePath, moved);
    const before = parseHeader(original);
    const after = parseHeader(moved);
    const bodyAfter = moved.subarray(after.length);
    n.say(
      `recipients before: ${before.encryptedDataKeys.map((e) => e.providerId).join(', ')}; ` +
        `after: ${after.encryptedDataKeys.map((e) => e.providerId).join(', ')}; KMS calls: ${describeCalls(rewrapped.calls)}`,
    );
    n.say(
      `message id ${Buffer.from(before.messageId).toString('hex').slice(0, 16)}… became ` +
        `${Buffer.from(after.messageId).toString('hex').slice(0, 16)}…: a new data key and a new body, so the old ` +
        'copy and the new one share no key (a header-only rewrite would let anyone holding both forge the file).',
    );
    n.command(`polykms decrypt orders.csv.pkms --key ${varOf(azure)}`);
    const viaAzure = await decrypt(moved, { keyring: await keyring([azure], 'decrypt') });
    n.say(
      `Azure alone: ${Buffer.from(viaAzure.plaintext).equals(plaintext) ? 'plaintext identical' : 'MISMATCH'}`,
    );
    n.command(`polykms decrypt orders.csv.pkms --key ${varOf(aws)}`);
    try {
      await decrypt(moved, { keyring: await keyring([aws], 'decrypt') });
      n.say('unexpected: AWS can still decrypt');
    } catch (error) {
      n.say(`AWS alone: refused, ${failureOf(error)}`);
    }

    n.step('Tampering is caught');
    const tampered = Buffer.from(moved);
    const offset = after.length + Math.floor(bodyAfter.length / 2);
    tampered[offset] = (tampered[offset] ?? 0) ^ 0x01;
    n.command('polykms decrypt tampered.pkms --key …   # one bit flipped in the middle of the body');
    try {
      await decrypt(tampered, { keyring: await keyring([gcp], 'decrypt') });
      n.say('unexpected: the tampered message decrypted');
    } catch (error) {
      n.say(`bit ${offset * 8} flipped: refused, no plaintext released, ${failureOf(error)}`);
    }

    n.step('Do the same on real clouds');
    n.say(
      'Log in as usual (aws configure / gcloud auth application-default login / az login); polykms uses\n' +
        "each cloud's default credential chain. Then, with your own key ids:\n\n" +
        '  polykms encrypt orders.csv --key aws-kms://arn:aws:kms:REGION:ACCOUNT:key/KEY_ID \\\n' +
        '      --key gcp-kms://projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY -c dataset=orders\n' +
        '  polykms inspect orders.csv.pkms\n' +
        '  polykms decrypt orders.csv.pkms --key gcp-kms://projects/…/cryptoKeys/KEY -o orders.csv\n' +
        '  polykms rewrap orders.csv.pkms --key gcp-kms://projects/…/cryptoKeys/KEY \\\n' +
        '      --add-key azure-kv://VAULT.vault.azure.net/keys/KEY \\\n' +
        '      --remove-key aws-kms://arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\n' +
        '  polykms migrate ./archive --from aws-kms://arn:aws:kms:… --to azure-kv://VAULT.vault.azure.net/keys/KEY\n\n' +
        'Or keep playing locally: `polykms emulator --export-file emulator.env &`, then `. ./emulator.env`\n' +
        'in your shell, and the same commands talk to the emulator.',
    );
  } finally {
    await emulator.stop();
    if (options.keep) n.say(`\n(files kept in ${workDir})`);
    else await rm(workDir, { recursive: true, force: true });
  }
}
