import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsKeyring } from '@polykms/aws-kms';
import { EmulatorControl, createAwsFrontEnd } from '@polykms/emulator';
import { CachingKeyring, KMS_CALL_CHANNEL, type Keyring, decrypt, encrypt } from '@polykms/envelope';

export interface KmsBatchResult {
  /** KMS calls seen on the `polykms:kms-call` diagnostics channel. */
  readonly channelCalls: number;
  /** KMS calls the emulator served. */
  readonly serverCalls: number;
  readonly messagesPerSecond: number;
}

/**
 * `n` × (encrypt + decrypt) of 1 KiB through the real AWS KMS keyring and the official SDK client,
 * against the emulator over loopback HTTP: once straight, once behind a CachingKeyring.
 */
export async function emulatedKmsBatch(
  n: number,
): Promise<{ direct: KmsBatchResult; cached: KmsBatchResult }> {
  const control = new EmulatorControl();
  const frontEnd = createAwsFrontEnd({ control, onChange() {} });
  const port = await frontEnd.listen('127.0.0.1', 0);
  const client = new KMSClient(frontEnd.endpoint('127.0.0.1', port).clientConfig);
  try {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
    const keyId = KeyMetadata?.Arn as string;
    const kms = new AwsKmsKeyring({ keyId, client });
    const plaintext = Buffer.alloc(1024, 1);
    const run = async (keyring: Keyring): Promise<KmsBatchResult> => {
      let channelCalls = 0;
      const count = () => {
        channelCalls++;
      };
      subscribe(KMS_CALL_CHANNEL, count);
      control.resetCounters();
      const start = performance.now();
      try {
        for (let i = 0; i < n; i++) {
          const { message } = await encrypt(plaintext, { keyring, encryptionContext: { batch: 'b1' } });
          await decrypt(message, { keyring });
        }
      } finally {
        unsubscribe(KMS_CALL_CHANNEL, count);
      }
      const seconds = (performance.now() - start) / 1000;
      return {
        channelCalls,
        serverCalls: control.calls({ cloud: 'aws' }).total,
        messagesPerSecond: n / seconds,
      };
    };
    const direct = await run(kms);
    const cached = await run(new CachingKeyring({ keyring: kms, maxAge: 5 * 60_000 }));
    return { direct, cached };
  } finally {
    client.destroy();
    await frontEnd.close();
  }
}
