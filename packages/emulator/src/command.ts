import { Command, InvalidArgumentError, Option } from 'commander';
import type { Cloud } from './control.js';
import { exportLines } from './env.js';
import { ALL_CLOUDS, type EmulatorOptions, type RunningEmulator, startEmulator } from './start.js';

const port = (value: string): number => {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('must be a port number (0-65535)');
  }
  return Number(value);
};

const cloudList = (value: string): Cloud[] => {
  const clouds = value.split(',').map((c) => c.trim());
  for (const cloud of clouds) {
    if (!(ALL_CLOUDS as readonly string[]).includes(cloud)) {
      throw new InvalidArgumentError(`unknown cloud "${cloud}" (use ${ALL_CLOUDS.join(', ')})`);
    }
  }
  return clouds as Cloud[];
};

/** Turns the command line into emulator options; throws a commander error on bad input. */
export function parseCommandLine(argv: readonly string[]): EmulatorOptions {
  const program = new Command('polykms-emulator')
    .description('Local AWS KMS, Google Cloud KMS and Azure Key Vault for tests and development.')
    .addOption(new Option('--host <address>', 'interface to bind').default('127.0.0.1'))
    .option(
      '--allow-remote',
      'allow binding an address other than loopback (exposes dummy-credential KMS servers)',
    )
    .option('--clouds <list>', `comma-separated clouds to serve (${ALL_CLOUDS.join(',')})`, cloudList)
    .option('--aws-port <port>', 'AWS KMS port (default: any free port)', port)
    .option('--gcp-port <port>', 'Google Cloud KMS gRPC port (default: any free port)', port)
    .option('--azure-port <port>', 'Azure Key Vault HTTPS port (default: any free port)', port)
    .option('--admin-port <port>', 'admin HTTP port (default: any free port)', port)
    .option('--no-admin', 'do not start the admin endpoint')
    .option('--state <file>', 'keep key state in this JSON file across restarts')
    .exitOverride()
    // Errors are reported by the caller (bin.ts) as one line; help still goes to stdout.
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => {} });
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    host: string;
    allowRemote?: boolean;
    clouds?: Cloud[];
    awsPort?: number;
    gcpPort?: number;
    azurePort?: number;
    adminPort?: number;
    admin: boolean;
    state?: string;
  }>();
  const ports: Partial<Record<Cloud, number>> = {};
  if (o.awsPort !== undefined) ports.aws = o.awsPort;
  if (o.gcpPort !== undefined) ports.gcp = o.gcpPort;
  if (o.azurePort !== undefined) ports.azure = o.azurePort;
  return {
    host: o.host,
    allowRemote: o.allowRemote === true,
    ports,
    adminPort: o.admin ? (o.adminPort ?? 0) : false,
    ...(o.clouds === undefined ? {} : { clouds: o.clouds }),
    ...(o.state === undefined ? {} : { stateFile: o.state }),
  };
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * Starts the emulator from a command line and prints the export lines on stdout (so that
 * `eval "$(polykms-emulator … | head -n N)"` or a CI step can capture them) and a note on stderr.
 * Returns the running emulator; the caller decides when to stop it.
 */
export async function runEmulatorCommand(argv: readonly string[], io: CommandIo): Promise<RunningEmulator> {
  const options = parseCommandLine(argv);
  const emulator = await startEmulator(options);
  io.stdout(exportLines(emulator.env));
  io.stderr(
    `polykms emulator serving ${emulator.clouds.join(', ')}${options.stateFile ? `, state in ${options.stateFile}` : ''}; stop with Ctrl-C or SIGTERM\n`,
  );
  return emulator;
}
