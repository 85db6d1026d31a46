import { Command, InvalidArgumentError, Option } from 'commander';
import type { Cloud } from './control.js';
import { removeEnvFile, writeEnvFile } from './env-file.js';
import { exportLines } from './env.js';
import { type KeySeed, loadSeedFile, parseKeySeed } from './seed.js';
import { ALL_CLOUDS, type EmulatorOptions, type RunningEmulator, startEmulator } from './start.js';
import { parseDuration, waitUntilReady } from './wait.js';

const port = (value: string): number => {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('must be a port number (0-65535)');
  }
  return Number(value);
};

const cloudList = (value: string): Cloud[] => {
  const result: Cloud[] = [];
  for (const cloud of value.split(',').map((c) => c.trim())) {
    const found = ALL_CLOUDS.find((c) => c === cloud);
    if (found === undefined) {
      throw new InvalidArgumentError(`unknown cloud "${cloud}" (use ${ALL_CLOUDS.join(', ')})`);
    }
    result.push(found);
  }
  return result;
};

const keySeed = (value: string, previous: KeySeed[] = []): KeySeed[] => {
  try {
    return [...previous, parseKeySeed(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

export interface ParsedCommandLine {
  readonly options: EmulatorOptions;
  readonly seedFile: string | undefined;
  readonly exportFile: string | undefined;
}

/** Turns the command line into emulator options; throws a commander error on bad input. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const program = new Command('polykms-emulator')
    .description(
      'Local AWS KMS, Google Cloud KMS and Azure Key Vault for tests and development.\n' +
        'Run `polykms-emulator wait --export-file FILE` in another step to wait until it is ready.',
    )
    .addOption(new Option('--host <address>', 'interface to bind').default('127.0.0.1'))
    .option(
      '--allow-remote',
      'allow binding an address other than loopback (exposes dummy-credential KMS servers)',
    )
    .option(
      '--advertise-host <name>',
      'host name clients use (exported URLs, key URIs, the Azure certificate); default: the bound host',
    )
    .option('--clouds <list>', `comma-separated clouds to serve (${ALL_CLOUDS.join(',')})`, cloudList)
    .option('--aws-port <port>', 'AWS KMS port (default: any free port)', port)
    .option('--gcp-port <port>', 'Google Cloud KMS gRPC port (default: any free port)', port)
    .option(
      '--gcp-rest-port <port>',
      'Google Cloud KMS REST/JSON port, for gcloud (default: any free port)',
      port,
    )
    .option('--azure-port <port>', 'Azure Key Vault HTTPS port (default: any free port)', port)
    .option('--identity-port <port>', 'Azure managed-identity (IDENTITY_ENDPOINT) port', port)
    .option('--admin-port <port>', 'admin HTTP port (default: any free port)', port)
    .option('--admin-host <address>', 'interface the admin endpoint binds (default 127.0.0.1)')
    .option('--no-admin', 'do not start the admin endpoint')
    .option('--state <file>', 'keep key state in this JSON file across restarts')
    .option(
      '--create-key <cloud:name>',
      'create a key at start (aws:NAME, gcp:RING/KEY, azure:NAME; repeatable); its URI is exported',
      keySeed,
    )
    .option(
      '--seed <file>',
      'create the keys listed in this JSON or YAML file ({aws: [..], gcp: [..], azure: [..]})',
    )
    // Not --env-file: Node reads --env-file anywhere on its command line, even after the script, and
    // exits when the file does not exist yet — which is exactly the case here.
    .option(
      '--export-file <file>',
      'write the export lines to this file once ready (atomically; removed at start)',
    )
    .exitOverride()
    // Errors are reported by the caller (bin.ts) as one line; help still goes to stdout.
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => {} });
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    host: string;
    allowRemote?: boolean;
    advertiseHost?: string;
    clouds?: Cloud[];
    awsPort?: number;
    gcpPort?: number;
    gcpRestPort?: number;
    azurePort?: number;
    identityPort?: number;
    adminPort?: number;
    adminHost?: string;
    admin: boolean;
    state?: string;
    createKey?: KeySeed[];
    seed?: string;
    exportFile?: string;
  }>();
  const ports: Partial<Record<Cloud, number>> = {};
  if (o.awsPort !== undefined) ports.aws = o.awsPort;
  if (o.gcpPort !== undefined) ports.gcp = o.gcpPort;
  if (o.azurePort !== undefined) ports.azure = o.azurePort;
  return {
    options: {
      host: o.host,
      allowRemote: o.allowRemote === true,
      ports,
      adminPort: o.admin ? (o.adminPort ?? 0) : false,
      ...(o.adminHost === undefined ? {} : { adminHost: o.adminHost }),
      ...(o.advertiseHost === undefined ? {} : { advertisedHost: o.advertiseHost }),
      ...(o.identityPort === undefined ? {} : { identityPort: o.identityPort }),
      ...(o.gcpRestPort === undefined ? {} : { gcpRestPort: o.gcpRestPort }),
      ...(o.clouds === undefined ? {} : { clouds: o.clouds }),
      ...(o.state === undefined ? {} : { stateFile: o.state }),
      ...(o.createKey === undefined ? {} : { createKeys: o.createKey }),
    },
    seedFile: o.seed,
    exportFile: o.exportFile,
  };
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * Starts the emulator from a command line and prints the export lines on stdout (so that
 * `eval "$(polykms-emulator … | head -n N)"` or a CI step can capture them), the seeded key URIs
 * and a note on stderr. With `--export-file`, the old file is removed first and the new one written
 * only once everything is ready. Returns the running emulator; the caller decides when to stop it.
 */
export async function runEmulatorCommand(argv: readonly string[], io: CommandIo): Promise<RunningEmulator> {
  const { options, seedFile, exportFile } = parseCommandLine(argv);
  if (exportFile !== undefined) await removeEnvFile(exportFile);
  const fromFile = seedFile === undefined ? [] : await loadSeedFile(seedFile);
  const emulator = await startEmulator({
    ...options,
    createKeys: [...(options.createKeys ?? []), ...fromFile],
  });
  try {
    if (exportFile !== undefined) await writeEnvFile(exportFile, emulator.env);
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  io.stdout(exportLines(emulator.env));
  for (const key of emulator.keys)
    io.stderr(`key ${key.cloud}:${key.name}  ${key.uri}  ($${key.variable})\n`);
  io.stderr(
    `polykms emulator serving ${emulator.clouds.join(', ')}${options.stateFile ? `, state in ${options.stateFile}` : ''}; stop with Ctrl-C or SIGTERM\n`,
  );
  return emulator;
}

/** `polykms-emulator wait --export-file FILE [--timeout 30s]`: exits 0 once that emulator is ready. */
export async function runWaitCommand(argv: readonly string[], io: CommandIo): Promise<void> {
  const program = new Command('polykms-emulator wait')
    .description(
      'Wait until an emulator started with --export-file FILE is ready, then print its export lines.',
    )
    .requiredOption('--export-file <file>', 'the --export-file the emulator was started with')
    .option('--timeout <duration>', 'give up after this long (e.g. 30s, 500ms, 2m)', '30s')
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => {} });
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{ exportFile: string; timeout: string }>();
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(o.timeout);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  const env = await waitUntilReady(o.exportFile, timeoutMs);
  io.stdout(exportLines(env));
}
