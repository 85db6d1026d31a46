import { type AwsEndpoint, createAwsFrontEnd } from './aws/front-end.js';
import { type AzureEndpoint, createAzureFrontEnd } from './azure/front-end.js';
import type { Cloud } from './control.js';
import type { CloudFrontEnd, FrontEndOptions } from './front-end.js';
import { type GcpEndpoint, createGcpFrontEnd } from './gcp/front-end.js';

/** What each cloud's front end hands its clients. */
export interface CloudEndpoints {
  aws: AwsEndpoint;
  gcp: GcpEndpoint;
  azure: AzureEndpoint;
}

/** Everything `startEmulator` knows that a front end may need. */
export interface CloudSetup extends FrontEndOptions {
  readonly stateFile: string | undefined;
  readonly advertisedHost: string;
  readonly identityPort: number | undefined;
  readonly gcpRestPort: number | undefined;
}

/**
 * The clouds the emulator can serve, one entry each: `startEmulator` starts the ones asked for from
 * this table. Each cloud is a folder `src/<cloud>/` with the same roles under the same names:
 *
 *   front-end.ts   the server(s): transport, admission through EmulatorControl, dispatch
 *   operations.ts  every operation served, by the name the control plane uses
 *   store.ts       key state, its snapshot and restore
 *   errors.ts      the cloud's own error shapes and messages
 *
 * plus what only that cloud has (AWS's ciphertext format, GCP's REST routes, Azure's routes and
 * identity endpoint). A new cloud is such a folder and one line here.
 */
export const CLOUD_FRONT_ENDS: {
  readonly [C in Cloud]: (setup: CloudSetup) => CloudFrontEnd<CloudEndpoints[C]>;
} = {
  aws: (setup) => createAwsFrontEnd(setup),
  gcp: (setup) => createGcpFrontEnd(setup),
  azure: (setup) =>
    createAzureFrontEnd({
      ...setup,
      tlsFilesBeside: setup.stateFile,
      identityPort: setup.identityPort,
    }),
};

export const ALL_CLOUDS: readonly Cloud[] = ['aws', 'gcp', 'azure'];
