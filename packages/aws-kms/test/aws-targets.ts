import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateKeyCommand, KMSClient, type KMSClientConfig, ListKeysCommand } from '@aws-sdk/client-kms';
import { EmulatorControl, createAwsFrontEnd } from '@polykms/emulator';

/** A KMS server over loopback: our emulator (with its control plane) or moto. */
export interface KmsTarget {
  readonly name: 'emulator' | 'moto';
  readonly control: EmulatorControl | undefined;
  client(overrides?: Partial<KMSClientConfig>): KMSClient;
  /** Creates a key in `region` (default us-east-1) and returns its ARN. */
  createKey(region?: string): Promise<string>;
  stop(): Promise<void>;
}

export const motoOnPath =
  spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startMotoTarget(): Promise<KmsTarget> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new KMSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      try {
        await probe.send(new ListKeysCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline || child.exitCode !== null) {
          child.kill();
          throw new Error(`moto_server did not start on port ${port}`, { cause: error });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    probe.destroy();
  }
  return target('moto', endpoint, undefined, async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
}
