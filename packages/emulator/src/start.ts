import { type AwsEndpoint, createAwsFrontEnd } from './aws/front-end.js';
import { type AzureEndpoint, createAzureFrontEnd } from './azure/front-end.js';
import { type Cloud, EmulatorControl } from './control.js';
import type { CloudFrontEnd } from './front-end.js';
import { type GcpEndpoint, createGcpFrontEnd } from './gcp/front-end.js';

export interface EmulatorOptions {
  /** Interface to bind. Loopback by default; anything else must be asked for explicitly. */
  readonly host?: string;
  /** Fixed ports per cloud; 0 or absent = any free port. */
  readonly ports?: Partial<Record<Cloud, number>>;
  /** Which clouds to serve; all three by default. */
  readonly clouds?: readonly Cloud[];
}

export interface RunningEmulator {
  readonly control: EmulatorControl;
  readonly aws: AwsEndpoint;
  readonly gcp: GcpEndpoint;
  readonly azure: AzureEndpoint;
  /** Stops every server; resolves when all sockets are closed. */
  stop(): Promise<void>;
}

/** Starts the emulator in this process, for tests. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const control = new EmulatorControl();
  const frontEndOptions = { control, onChange: () => {} };
  const aws = createAwsFrontEnd(frontEndOptions);
  const gcp = createGcpFrontEnd(frontEndOptions);
  const azure = createAzureFrontEnd(frontEndOptions);
  const started: CloudFrontEnd[] = [];
  try {
    const awsPort = await aws.listen(host, options.ports?.aws ?? 0);
    started.push(aws);
    const gcpPort = await gcp.listen(host, options.ports?.gcp ?? 0);
    started.push(gcp);
    const azurePort = await azure.listen(host, options.ports?.azure ?? 0);
    started.push(azure);
    return {
      control,
      aws: aws.endpoint(host, awsPort),
      gcp: gcp.endpoint(host, gcpPort),
      azure: azure.endpoint(host, azurePort),
      stop: async () => {
        await Promise.all(started.map((f) => f.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((f) => f.close()));
    throw error;
  }
}
