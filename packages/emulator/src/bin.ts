#!/usr/bin/env node
import { CommanderError } from 'commander';
import { runEmulatorCommand } from './command.js';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

try {
  const emulator = await runEmulatorCommand(process.argv.slice(2), io);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    io.stderr(`polykms emulator: ${signal}, stopping\n`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        io.stderr(`polykms emulator: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) process.exit(0); // --help was printed
    io.stderr(`polykms-emulator: ${error.message}\n`);
    process.exit(2);
  }
  io.stderr(`polykms-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
