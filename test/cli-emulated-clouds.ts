import { type RunningEmulator, startEmulator } from '@polykms/emulator';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type CliResult, ensureCliBuilt, runCli, workDir } from './cli-harness.js';

/** The built CLI against the emulator, for one test file: set once the file's `beforeAll` ran. */
export interface EmulatedClouds {
  readonly emulator: RunningEmulator;
  /** A scratch directory, removed after the file's tests. */
  readonly dir: string;
  /**
   * Runs the built CLI in `dir`, configured only by the environment variables the emulator
   * exports: the way a CI job or a developer shell uses it.
   */
  cli(args: readonly string[], input?: Uint8Array): Promise<CliResult>;
}

export interface EmulatedCloudsOptions {
  /** Keys, files and messages the file's tests share, made once the emulator runs. */
  readonly prepare?: (clouds: EmulatedClouds) => Promise<void>;
  /** Clear the emulator's faults, denials and call counts after each test (keys are kept). */
  readonly resetAfterEach?: boolean;
}

/**
 * Registers the hooks a CLI test file against the emulated clouds needs: the CLI built (once per
 * run), a work directory, the emulator on loopback (the official SDK clients reach it unchanged),
 * then `prepare`; everything stopped and removed after the file.
 */
export function cliAgainstEmulatedClouds(options: EmulatedCloudsOptions = {}): EmulatedClouds {
  let emulator: RunningEmulator | undefined;
  let dir: string | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in beforeAll`);
    return value;
  };
  const clouds: EmulatedClouds = {
    get emulator() {
      return ready(emulator, 'the emulator');
    },
    get dir() {
      return ready(dir, 'the work directory');
    },
    cli: (args, input) => runCli(args, { cwd: clouds.dir, env: clouds.emulator.env, input }),
  };
  beforeAll(async () => {
    await ensureCliBuilt();
    ({ dir, cleanup } = await workDir());
    emulator = await startEmulator({ adminPort: false });
    await options.prepare?.(clouds);
  }, 120_000);
  if (options.resetAfterEach) afterEach(() => emulator?.control.reset());
  afterAll(async () => {
    await emulator?.stop();
    await cleanup?.();
  });
  return clouds;
}
