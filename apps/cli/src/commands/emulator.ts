import type { Command } from 'commander';
import { CliError } from '../cli-error.js';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

/**
 * A usage error from the emulator's parser. Checked by shape, not `instanceof CommanderError`:
 * the emulator imports its own commander, a copy other than the one bundled into the CLI.
 */
function isUsageError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const { code, exitCode } = error as { code?: unknown; exitCode?: unknown };
  return (
    typeof code === 'string' &&
    code.startsWith('commander.') &&
    typeof exitCode === 'number' &&
    exitCode !== 0
  );
}

/**
 * `polykms emulator …` is `polykms-emulator …`: the arguments go unchanged to the emulator's own
 * command (one parser, one set of flags, documented in @polykms/emulator's README), so the two
 * never drift.
 */
export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .summary('run the local AWS KMS / Google Cloud KMS / Azure Key Vault emulator')
    .description(
      'Starts the emulator on 127.0.0.1 and prints the environment variables that point polykms ' +
        '(and the official SDKs, boto3, the aws CLI and gcloud) at it. Runs until Ctrl-C. Keys live in ' +
        'memory unless --state is given. Run `polykms emulator --help` for every flag.',
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[arguments...]', 'polykms-emulator arguments (see polykms emulator --help)')
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  polykms emulator --create-key aws:orders --export-file emulator.env &\n' +
        '  polykms emulator wait --export-file emulator.env --timeout 30s\n' +
        '  . ./emulator.env\n' +
        '  polykms encrypt data.json --key "$POLYKMS_KEY_AWS_ORDERS"   # talks to the emulator',
    )
    .action(async (args: string[]) => {
      const { runEmulatorCommand, runWaitCommand } = await import('@polykms/emulator');
      try {
        if (args[0] === 'wait') {
          await runWaitCommand(args.slice(1), io);
          return;
        }
        const emulator = await runEmulatorCommand(args, io);
        await new Promise<void>((resolve) => {
          const stop = () => {
            io.stderr('polykms emulator: stopping\n');
            resolve();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await emulator.stop();
      } catch (error) {
        // The emulator's parser reports nothing itself; a usage error becomes ours (exit 2).
        if (isUsageError(error)) throw new CliError(error.message);
        throw error;
      }
    });
}
