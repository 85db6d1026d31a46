import { CreateKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { EmulatorControl, createAwsFrontEnd } from '@polykms/emulator';
import { startMotoServer } from '@polykms/test-support';

export { motoOnPath } from '@polykms/test-support';

/** A KMS server over loopback: our emulator (with its control plane) or moto. */
export interface KmsTarget {
  readonly name: 'emulator' | 'moto';
  readonly control: EmulatorControl | undefined;
  client(overrides?: Partial<KMSClientConfig>): KMSClient;
  /** Creates a key in `region` (default us-east-1) and returns its ARN. */
  createKey(region?: string): Promise<string>;
  stop(): Promise<void>;
}

function target(
  name: KmsTarget['name'],
  endpoint: string,
  control: EmulatorControl | undefined,
  stop: () => Promise<void>,
): KmsTarget {
  const clients: KMSClient[] = [];
  const client = (overrides: Partial<KMSClientConfig> = {}) => {
    const created = new KMSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      ...overrides,
    });
    clients.push(created);
    return created;
  };
  return {
    name,
    control,
    client,
    async createKey(region = 'us-east-1') {
      const { KeyMetadata } = await client({ region }).send(new CreateKeyCommand({}));
      return KeyMetadata?.Arn as string;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await stop();
    },
  };
}

export async function startEmulatorTarget(): Promise<KmsTarget> {
  const control = new EmulatorControl();
  const frontEnd = createAwsFrontEnd({ control, onChange() {} });
  const port = await frontEnd.listen('127.0.0.1', 0);
  return target('emulator', `http://127.0.0.1:${port}`, control, () => frontEnd.close());
}

export async function startMotoTarget(): Promise<KmsTarget> {
  const moto = await startMotoServer();
  return target('moto', moto.endpoint, undefined, () => moto.stop());
}

const retryToken = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 10 });
/**
 * The SDK's standard retries (3 attempts) with 10 ms between them: its default backoff for
 * throttling starts at 500 ms, which makes the persistent-fault cases slow for nothing.
 */
export const quickRetries = {
  mode: 'standard',
  acquireInitialRetryToken: async () => retryToken(0),
  async refreshRetryTokenForRetry(token: { getRetryCount(): number }, error: { errorType: string }) {
    if (error.errorType === 'CLIENT_ERROR' || token.getRetryCount() >= 2) throw new Error('no more retries');
    return retryToken(token.getRetryCount() + 1);
  },
  recordSuccess: () => {},
};
