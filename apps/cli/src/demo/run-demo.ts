import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoContext, type DemoStep } from './context.js';
import { startEmulatedClouds } from './emulator-clouds.js';
import { Narrator } from './narrator.js';
import { awsOutage } from './steps/aws-outage.js';
import { createKeys } from './steps/create-keys.js';
import { decryptWithEach } from './steps/decrypt-with-each.js';
import { encryptForTwoClouds } from './steps/encrypt-for-two-clouds.js';
import { inspectMessage } from './steps/inspect-message.js';
import { keysetRecords } from './steps/keyset-records.js';
import { keysetToAzure } from './steps/keyset-to-azure.js';
import { migrateStandalone } from './steps/migrate-standalone.js';
import { oldKeysetCopy } from './steps/old-keyset-copy.js';
import { realClouds } from './steps/real-clouds.js';
import { recordCache } from './steps/record-cache.js';
import { tampering } from './steps/tampering.js';

/** The story, in order. Each step reads what the earlier ones left in the working directory. */
const STEPS: readonly DemoStep[] = [
  createKeys,
  encryptForTwoClouds,
  inspectMessage,
  decryptWithEach,
  awsOutage,
  recordCache,
  keysetRecords,
  keysetToAzure,
  oldKeysetCopy,
  migrateStandalone,
  tampering,
  realClouds,
];

export interface DemoOptions {
  /** Keep the working directory instead of deleting it at the end. */
  readonly keep?: boolean;
  readonly write?: (text: string) => void;
  readonly color?: boolean;
}

/**
 * The migration story on the embedded emulator: no account, no flags. Each step prints the
 * command that does the same from a shell, then what happened, with the KMS calls it cost.
 */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const n = new Narrator(options.write ?? ((text) => process.stdout.write(text)), options.color ?? false);
  const workDir = await mkdtemp(join(tmpdir(), 'polykms-demo-'));
  const clouds = await startEmulatedClouds();
  try {
    n.title('polykms demo: one message readable through several clouds, and moving data between them');
    n.say(
      'Everything below runs against an embedded emulator of AWS KMS, Google Cloud KMS and Azure Key\n' +
        'Vault on 127.0.0.1, driven through the official SDK clients. No account, no network.\n' +
        `Working directory: ${workDir}`,
    );
    const demo = new DemoContext(n, clouds, workDir);
    for (const step of STEPS) {
      n.step(step.title);
      await step.run(demo);
    }
  } finally {
    await clouds.stop();
    if (options.keep) n.say(`\n(files kept in ${workDir})`);
    else await rm(workDir, { recursive: true, force: true });
  }
}
