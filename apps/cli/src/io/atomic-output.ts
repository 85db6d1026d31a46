import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { access, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';

/** Suffix of our temporary files, so that a later run can recognise (and skip) leftovers. */
export const TEMP_SUFFIX = '.polykms-tmp';

/** Temporary files not yet renamed into place; removed on any exit path, Ctrl-C included. */
const pending = new Set<string>();

function removePendingSync(): void {
  for (const path of pending) {
    try {
      // Synchronous on purpose: this runs in 'exit', where async work never completes.
      rmSync(path, { force: true });
    } catch {}
  }
  pending.clear();
}

let hooksInstalled = false;
function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', removePendingSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removePendingSync();
      process.exit(signal === 'SIGINT' ? ExitCode.Interrupted : 128 + (signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

export async function assertWritable(path: string, force: boolean): Promise<void> {
  if (force) return;
  try {
    await access(path);
  } catch {
    return;
  }
  throw new CliError(
    `'${path}' already exists: pass --force to replace it, or choose another --output`,
    ExitCode.Io,
  );
}

/**
 * An output file that appears complete or not at all: bytes go to a temporary file beside the
 * target (same directory, so the rename cannot cross file systems), which is flushed to disk and
 * renamed over the target on commit, and deleted on abort or if the process dies.
 */
export class AtomicOutput {
  readonly path: string;
  readonly tempPath: string;
  readonly stream: WriteStream;

  private constructor(path: string, tempPath: string, stream: WriteStream) {
    this.path = path;
    this.tempPath = tempPath;
    this.stream = stream;
  }

  static async create(path: string): Promise<AtomicOutput> {
    installCleanupHooks();
    const tempPath = join(
      dirname(path),
      `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
    );
    pending.add(tempPath);
    const stream = createWriteStream(tempPath, { flags: 'wx', mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (error) {
      pending.delete(tempPath);
      throw error;
    }
    return new AtomicOutput(path, tempPath, stream);
  }

  /** Ends the stream (if the caller has not), syncs the file to disk and renames it into place. */
  async commit(): Promise<void> {
    if (!this.stream.writableFinished) {
      await new Promise<void>((resolve, reject) => {
        this.stream.once('error', reject);
        this.stream.end(() => resolve());
      });
    }
    if (!this.stream.closed) await once(this.stream, 'close');
    const handle = await open(this.tempPath, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.tempPath, this.path);
    pending.delete(this.tempPath);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tempPath, { force: true });
    pending.delete(this.tempPath);
  }
}

/** Writes `data` to `path` atomically (see AtomicOutput). */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const output = await AtomicOutput.create(path);
  try {
    await new Promise<void>((resolve, reject) => {
      output.stream.write(data, (error) => (error ? reject(error) : resolve()));
    });
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}
