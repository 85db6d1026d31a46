import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { KMSClient, type KMSClientConfig, ListKeysCommand } from '@aws-sdk/client-kms';
import { EmulatorControl } from '../src/control.js';
import { createAwsFrontEnd } from '../src/aws/front-end.js';

/** A KMS server the same tests run against: our emulator, or moto as an independent cross-check. */
export interface KmsTarget {
  readonly name: 'emulator' | 'moto';
  readonly endpoint: string;
  /** Only our emulator has a control plane. */
  readonly control: EmulatorControl | undefined;
  client(overrides?: Partial<KMSClientConfig>): KMSClient;
  stop(): Promise<void>;
}

export const motoOnPath =
  spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

function clientFor(endpoint: string) {
  return (overrides: Partial<KMSClientConfig> = {}) =>
    new KMSClient({ endpoint, region: 'us-east-1', credentials, ...overrides });
}

export async function startEmulatorTarget(): Promise<KmsTarget> {
  const control = new EmulatorControl();
  const frontEnd = createAwsFrontEnd({ control, onChange() {} });
  const port = await frontEnd.listen('127.0.0.1', 0);
  const endpoint = `http://127.0.0.1:${port}`;
  return { name: 'emulator', endpoint, control, client: clientFor(endpoint), stop: () => frontEnd.close() };
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
  const client = clientFor(endpoint)();
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client.send(new ListKeysCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill();
        throw new Error(`moto_server did not start on port ${port}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  client.destroy();
  return {
    name: 'moto',
    endpoint,
    control: undefined,
    client: clientFor(endpoint),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
