#!/usr/bin/env node
import { CommanderError } from 'commander';
import { runEmulatorCommand, runWaitCommand } from './command.js';
import type { RunningEmulator } from './start.js';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

// Handlers go in before anything is printed: a supervisor may send SIGTERM as soon as it has
// read the export lines.
let starting: Promise<RunningEmulator | undefined> = Promise.resolve(undefined);
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  io.stderr(`polykms emulator: ${signal}, stopping\n`);
  starting
    .then((emulator) => emulator?.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        io.stderr(`polykms emulator: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

const fail = (error: unknown): never => {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) process.exit(0); // --help was printed
    io.stderr(`polykms-emulator: ${error.message}\n`);
    process.exit(2);
  }
  io.stderr(`polykms-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
};

const argv = process.argv.slice(2);
if (argv[0] === 'wait') {
  runWaitCommand(argv.slice(1), io).then(() => process.exit(0), fail);
} else {
  starting = runEmulatorCommand(argv, io).catch(fail);
}
