import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdminServer, startAdminServer } from './admin.js';
import { type AwsEndpoint, createAwsFrontEnd } from './aws/front-end.js';
import { type AzureEndpoint, createAzureFrontEnd } from './azure/front-end.js';
import { type Cloud, EmulatorControl } from './control.js';
import { emulatorEnv } from './env.js';
import type { CloudFrontEnd, FrontEndOptions } from './front-end.js';
import { type GcpEndpoint, createGcpFrontEnd } from './gcp/front-end.js';
import { type SavedClouds, type StatePersister, createStatePersister, loadStateFile } from './persist.js';

export const ALL_CLOUDS: readonly Cloud[] = ['aws', 'gcp', 'azure'];

export interface EmulatorOptions {
  /** Interface to bind. Loopback by default; anything else needs `allowRemote: true`. */
  readonly host?: string;
  /** Binding a non-loopback address exposes dummy-credential KMS servers: opt in explicitly. */
  readonly allowRemote?: boolean;
  /** Fixed ports per cloud; 0 or absent = any free port. */
  readonly ports?: Partial<Record<Cloud, number>>;
  /** Which clouds to serve; all three by default. */
  readonly clouds?: readonly Cloud[];
  /**
   * Keep key state in this JSON file: loaded at start, saved (atomically, debounced) after every
   * change. Absent = memory only.
   */
  readonly stateFile?: string;
  /** Port of the admin HTTP endpoint; 0 = any free port, `false` = no admin endpoint. Default 0. */
  readonly adminPort?: number | false;
  /** Called when saving the state file fails (default: a warning on stderr). */
  readonly onPersistError?: (error: unknown) => void;
}

export interface RunningEmulator {
  readonly control: EmulatorControl;
  /** The clouds being served. Reading the endpoint of another one throws. */
  readonly clouds: readonly Cloud[];
  readonly aws: AwsEndpoint;
  readonly gcp: GcpEndpoint;
  readonly azure: AzureEndpoint;
  /** `http://127.0.0.1:PORT` of the admin endpoint, or undefined when disabled. */
  readonly adminUrl: string | undefined;
  /** Environment variables that point SDKs at this emulator (see README). */
  readonly env: Readonly<Record<string, string>>;
  /** Writes pending state to the state file now (no-op without one). */
  saveState(): Promise<void>;
  /** Saves state, stops every server; resolves when all sockets are closed. */
  stop(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Starts the emulator in this process (tests) or for the `polykms-emulator` command. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && options.allowRemote !== true) {
    throw new Error(`refusing to bind ${host}: the emulator binds loopback only unless allowRemote is set`);
  }
  const clouds = [...new Set(options.clouds ?? ALL_CLOUDS)];
  for (const cloud of clouds) {
    if (!ALL_CLOUDS.includes(cloud)) throw new Error(`unknown cloud ${String(cloud)}`);
  }
  const control = new EmulatorControl();
  const saved: SavedClouds = options.stateFile ? await loadStateFile(options.stateFile) : {};
  const frontEnds = new Map<Cloud, CloudFrontEnd>();
  let persister: StatePersister | undefined;
  const frontEndOptions: FrontEndOptions = { control, onChange: () => persister?.schedule() };
  if (options.stateFile) {
    persister = createStatePersister(
      options.stateFile,
      () => {
        // Clouds not served this time keep what the file had for them.
        const clouds: SavedClouds = { ...saved };
        for (const [cloud, frontEnd] of frontEnds) clouds[cloud] = frontEnd.snapshot();
        return clouds;
      },
      {
        onError:
          options.onPersistError ??
          ((error) => process.emitWarning(`polykms emulator could not save its state: ${String(error)}`)),
      },
    );
  }

  const started: (CloudFrontEnd | AdminServer)[] = [];
  let tempDir: string | undefined;
  const closeAll = () => Promise.allSettled(started.map((s) => s.close()));
  try {
    const endpoints: { aws?: AwsEndpoint; gcp?: GcpEndpoint; azure?: AzureEndpoint } = {};
    for (const cloud of clouds) {
      const frontEnd =
        cloud === 'aws'
          ? createAwsFrontEnd(frontEndOptions)
          : cloud === 'gcp'
            ? createGcpFrontEnd(frontEndOptions)
            : createAzureFrontEnd(frontEndOptions);
      if (saved[cloud] !== undefined) frontEnd.restore(saved[cloud]);
      const port = await frontEnd.listen(host, options.ports?.[cloud] ?? 0);
      started.push(frontEnd);
      frontEnds.set(cloud, frontEnd);
      if (cloud === 'aws')
        endpoints.aws = (frontEnd as ReturnType<typeof createAwsFrontEnd>).endpoint(host, port);
      if (cloud === 'gcp')
        endpoints.gcp = (frontEnd as ReturnType<typeof createGcpFrontEnd>).endpoint(host, port);
      if (cloud === 'azure') {
        endpoints.azure = (frontEnd as ReturnType<typeof createAzureFrontEnd>).endpoint(host, port);
      }
    }
    let azureCaFile: string | undefined;
    if (endpoints.azure) {
      // With a state file the certificate survives restarts, so its file sits beside the state
      // and keeps its path (an exported NODE_EXTRA_CA_CERTS stays valid); otherwise it is temporary.
      if (options.stateFile) {
        azureCaFile = `${options.stateFile}.azure-ca.pem`;
      } else {
        tempDir = await mkdtemp(join(tmpdir(), 'polykms-emulator-'));
        azureCaFile = join(tempDir, 'azure-ca.pem');
      }
      await writeFile(azureCaFile, endpoints.azure.caCertPem, { mode: 0o644 });
    }
    // Save once at start, so the file exists and carries what a front end generated (Azure's TLS identity).
    persister?.schedule();
    let env: Record<string, string> = {};
    const admin =
      options.adminPort === false
        ? undefined
        : await startAdminServer({ control, env: () => env }, host, options.adminPort ?? 0);
    if (admin) started.push(admin);
    env = emulatorEnv({ ...endpoints, azureCaFile, adminUrl: admin?.url });

    const endpointOf = <C extends Cloud>(cloud: C) => {
      const endpoint = endpoints[cloud];
      if (endpoint === undefined) {
        throw new Error(`the emulator is not serving ${cloud} (started with clouds: ${clouds.join(', ')})`);
      }
      return endpoint as NonNullable<(typeof endpoints)[C]>;
    };
    let stopped: Promise<void> | undefined;
    return {
      control,
      clouds,
      get aws() {
        return endpointOf('aws');
      },
      get gcp() {
        return endpointOf('gcp');
      },
      get azure() {
        return endpointOf('azure');
      },
      adminUrl: admin?.url,
      env,
      saveState: async () => persister?.flush(),
      stop() {
        stopped ??= (async () => {
          await persister?.flush();
          await closeAll();
          if (tempDir) await rm(tempDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await closeAll();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}
