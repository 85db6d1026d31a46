import { randomBytes } from 'node:crypto';
import { type AdminServer, startAdminServer } from './admin.js';
import type { AwsEndpoint } from './aws/front-end.js';
import type { AzureEndpoint } from './azure/front-end.js';
import { ALL_CLOUDS, CLOUD_FRONT_ENDS, type CloudEndpoints, type CloudSetup } from './clouds.js';
import { type Cloud, EmulatorControl } from './control.js';
import { emulatorEnv } from './env.js';
import type { CloudFrontEnd } from './front-end.js';
import type { GcpEndpoint } from './gcp/front-end.js';
import { type SavedClouds, type StatePersister, createStatePersister, loadStateFile } from './persist.js';
import { type KeySeed, type SeededKey, seededKeyVariable } from './seed.js';
import { isLoopback } from './servers.js';

export { isLoopback };

export { ALL_CLOUDS } from './clouds.js';

export interface EmulatorOptions {
  /** Interface to bind. Loopback by default; anything else needs `allowRemote: true`. */
  readonly host?: string;
  /** Binding a non-loopback address exposes dummy-credential KMS servers: opt in explicitly. */
  readonly allowRemote?: boolean;
  /**
   * The name clients use to reach the emulator: in exported URLs, key URIs and the Azure
   * certificate. Default: the bound host (127.0.0.1 for 0.0.0.0).
   */
  readonly advertisedHost?: string;
  /** Fixed ports per cloud; 0 or absent = any free port. */
  readonly ports?: Partial<Record<Cloud, number>>;
  /** Port of Azure's managed-identity endpoint (IDENTITY_ENDPOINT); default any free port. */
  readonly identityPort?: number;
  /** Port of Google Cloud KMS's REST/JSON transcoding (gcloud); default any free port. */
  readonly gcpRestPort?: number;
  /** Which clouds to serve; all three by default. */
  readonly clouds?: readonly Cloud[];
  /**
   * Keep key state in this JSON file: loaded at start, saved (atomically, debounced) after every
   * change. Absent = memory only.
   */
  readonly stateFile?: string;
  /** Port of the admin HTTP endpoint; 0 = any free port, `false` = no admin endpoint. Default 0. */
  readonly adminPort?: number | false;
  /** Interface the admin endpoint binds: loopback (127.0.0.1) unless set; another needs `allowRemote`. */
  readonly adminHost?: string;
  /** The admin endpoint's bearer token; default random. */
  readonly adminToken?: string;
  /** Keys to create at start (or find again in the state file); their URIs are exported. */
  readonly createKeys?: readonly KeySeed[];
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
  /** Bearer token every admin request must carry (`authorization: Bearer …`). */
  readonly adminToken: string;
  /** Environment variables that point SDKs at this emulator (see README). */
  readonly env: Readonly<Record<string, string>>;
  /** Keys seeded so far (at start and through the admin endpoint). */
  readonly keys: readonly SeededKey[];
  /** Creates (or finds) a key and exports its URI as `POLYKMS_KEY_<CLOUD>_<NAME>`. */
  createKey(seed: KeySeed): Promise<SeededKey>;
  /** Writes pending state to the state file now (no-op without one). */
  saveState(): Promise<void>;
  /** Saves state, stops every server; resolves when all sockets are closed. */
  stop(): Promise<void>;
}

function defaultAdvertisedHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** Starts the emulator in this process (tests) or for the `polykms-emulator` command. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const adminHost = options.adminHost ?? '127.0.0.1';
  for (const bound of [host, adminHost]) {
    if (!isLoopback(bound) && options.allowRemote !== true) {
      throw new Error(
        `refusing to bind ${bound}: the emulator binds loopback only unless allowRemote is set`,
      );
    }
  }
  const advertisedHost = options.advertisedHost ?? defaultAdvertisedHost(host);
  const clouds = [...new Set(options.clouds ?? ALL_CLOUDS)];
  for (const cloud of clouds) {
    if (!ALL_CLOUDS.includes(cloud)) throw new Error(`unknown cloud ${String(cloud)}`);
  }
  const control = new EmulatorControl();
  const saved: SavedClouds = options.stateFile ? await loadStateFile(options.stateFile) : {};
  const frontEnds = new Map<Cloud, CloudFrontEnd>();
  let persister: StatePersister | undefined;
  const setup: CloudSetup = {
    control,
    onChange: () => persister?.schedule(),
    stateFile: options.stateFile,
    advertisedHost,
    identityPort: options.identityPort,
    gcpRestPort: options.gcpRestPort,
  };
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

  const started: { close(): Promise<void> }[] = [];
  const closeAll = () => Promise.allSettled(started.map((s) => s.close()));
  const endpoints: Partial<CloudEndpoints> = {};
  const startCloud = async <C extends Cloud>(cloud: C): Promise<void> => {
    const frontEnd = CLOUD_FRONT_ENDS[cloud](setup);
    if (saved[cloud] !== undefined) frontEnd.restore(saved[cloud]);
    const port = await frontEnd.listen(host, options.ports?.[cloud] ?? 0);
    started.push(frontEnd);
    frontEnds.set(cloud, frontEnd);
    endpoints[cloud] = frontEnd.endpoint(advertisedHost, port);
  };
  try {
    for (const cloud of clouds) await startCloud(cloud);
    // Save once at start, so the file exists and carries what a front end generated.
    persister?.schedule();

    const keys: SeededKey[] = [];
    const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
    const env: Record<string, string> = {};
    let adminUrl: string | undefined;
    const refreshEnv = () => {
      const keyVariables = Object.fromEntries(keys.map((k) => [k.variable, k.uri]));
      // Mutated in place: `emulator.env` is the same object for the emulator's whole life.
      for (const name of Object.keys(env)) delete env[name];
      Object.assign(env, emulatorEnv({ ...endpoints, adminUrl, adminToken, keys: keyVariables }));
    };
    const createKey = async (seed: KeySeed): Promise<SeededKey> => {
      const frontEnd = frontEnds.get(seed.cloud);
      if (frontEnd === undefined) {
        throw new Error(
          `cannot create ${seed.cloud}:${seed.name}: the emulator is not serving ${seed.cloud}`,
        );
      }
      const variable = seededKeyVariable(seed);
      const uri = await frontEnd.seedKey(seed.name);
      const clash = keys.find((k) => k.variable === variable);
      if (clash !== undefined && clash.uri !== uri) {
        throw new Error(
          `${seed.cloud}:${seed.name} and ${clash.cloud}:${clash.name} would both export ${variable}; rename one`,
        );
      }
      const key: SeededKey = { ...seed, uri, variable };
      if (clash === undefined) keys.push(key);
      refreshEnv();
      return key;
    };
    for (const seed of options.createKeys ?? []) await createKey(seed);

    const admin: AdminServer | undefined =
      options.adminPort === false
        ? undefined
        : await startAdminServer(
            { control, env: () => env, token: adminToken, createKey, keys: () => keys, advertisedHost },
            adminHost,
            options.adminPort ?? 0,
          );
    if (admin) started.push(admin);
    adminUrl = admin?.url;
    refreshEnv();

    const endpointOf = <C extends Cloud>(cloud: C): CloudEndpoints[C] => {
      const endpoint: Partial<CloudEndpoints>[C] = endpoints[cloud];
      if (endpoint === undefined) {
        throw new Error(`the emulator is not serving ${cloud} (started with clouds: ${clouds.join(', ')})`);
      }
      return endpoint;
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
      adminUrl,
      adminToken,
      env,
      keys,
      createKey,
      saveState: async () => persister?.flush(),
      stop() {
        stopped ??= (async () => {
          await persister?.flush();
          await closeAll();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
