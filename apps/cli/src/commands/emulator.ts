import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { Cloud } from '@polykms/emulator';

interface EmulatorFlags {
  clouds?: Cloud[];
  awsPort?: number;
  gcpPort?: number;
  azurePort?: number;
  state?: string;
  exportFile?: string;
}

const port = (value: string): number => {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('must be a port (0-65535)');
  return Number(value);
};

const clouds = (value: string): Cloud[] => {
  const list = value.split(',').map((c) => c.trim());
  for (const cloud of list) {
    if (cloud !== 'aws' && cloud !== 'gcp' && cloud !== 'azure') {
      throw new InvalidArgumentError(`unknown cloud '${cloud}' (use aws, gcp, azure)`);
    }
  }
  return list as Cloud[];
};

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .summary('run the local AWS KMS / Google Cloud KMS / Azure Key Vault emulator')
    .description(
      'Starts the emulator on 127.0.0.1 and prints the environment variables that point polykms ' +
        '(and the official SDKs) at it. Runs until Ctrl-C. Keys live in memory unless --state is given. ' +
        'For CI: start it in the background, source the variables, run your tests.',
    )
    .option('--clouds <list>', 'comma-separated clouds to serve (default aws,gcp,azure)', clouds)
    .option('--aws-port <port>', 'AWS KMS port (default: any free port)', port)
    .option('--gcp-port <port>', 'Google Cloud KMS gRPC port (default: any free port)', port)
    .option('--azure-port <port>', 'Azure Key Vault HTTPS port (default: any free port)', port)
    .option('--state <file>', 'keep keys in this JSON file across restarts')
    // Not --env-file: Node itself reads --env-file anywhere on its command line, even after the script.
    .option('--export-file <file>', 'also write the export lines to this file')
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  polykms emulator --export-file emulator.env &\n' +
        '  sleep 2; . ./emulator.env\n' +
        '  polykms encrypt data.json --key aws-kms://arn:aws:kms:…   # now talks to the emulator',
    )
    .action(async (flags: EmulatorFlags) => {
      const { startEmulator, exportLines } = await import('@polykms/emulator');
      const ports: Partial<Record<Cloud, number>> = {};
      if (flags.awsPort !== undefined) ports.aws = flags.awsPort;
      if (flags.gcpPort !== undefined) ports.gcp = flags.gcpPort;
      if (flags.azurePort !== undefined) ports.azure = flags.azurePort;
      const emulator = await startEmulator({
        ports,
        ...(flags.clouds ? { clouds: flags.clouds } : {}),
        ...(flags.state ? { stateFile: flags.state } : {}),
      });
      const lines = exportLines(emulator.env);
      if (flags.exportFile) await writeFile(flags.exportFile, lines, { mode: 0o600 });
      process.stdout.write(lines);
      process.stderr.write(
        `polykms emulator serving ${emulator.clouds.join(', ')} on 127.0.0.1` +
          `${flags.state ? `, keys in ${flags.state}` : ''}; stop with Ctrl-C\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('polykms emulator: stopping\n');
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await emulator.stop();
    });
}
