import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { freePort } from './free-port.js';

export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Whether `moto_server` is installed; tests that need it skip, saying so, when it is not. */
export const motoOnPath =
  spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

/**
 * Starts `moto_server` (an independent AWS KMS emulator, when installed) on a loopback port and
 * waits until it answers ListKeys. Check `motoOnPath` first.
 */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new KMSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
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
  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
