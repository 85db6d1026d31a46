import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { startMotoServer } from '@polykms/test-support';
import { EmulatorControl } from '../src/control.js';
import { createAwsFrontEnd } from '../src/aws/front-end.js';

export { motoOnPath } from '@polykms/test-support';

/** A KMS server the same tests run against: our emulator, or moto as an independent cross-check. */
export interface KmsTarget {
  readonly name: 'emulator' | 'moto';
  readonly endpoint: string;
  /** Only our emulator has a control plane. */
  readonly control: EmulatorControl | undefined;
  client(overrides?: Partial<KMSClientConfig>): KMSClient;
  stop(): Promise<void>;
}

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

export async function startMotoTarget(): Promise<KmsTarget> {
  const moto = await startMotoServer();
  return {
    name: 'moto',
    endpoint: moto.endpoint,
    control: undefined,
    client: clientFor(moto.endpoint),
    stop: () => moto.stop(),
  };
}
