import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import type { InPlaceTarget } from './in-place.js';
import { printable } from './terminal-text.js';

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

/**
 * Refuses an output path that exists, unless `force`; and always one that is not a regular file:
 * the rename that puts the output in place would replace a device or FIFO by a plain file holding
 * the output (plaintext, for decrypt) instead of writing to it.
 */
export async function assertWritable(path: string, force: boolean): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isFile()) {
    throw new CliError(
      `'${printable(path)}' exists and is not a regular file: polykms writes a new file and renames it ` +
        'into place, which would replace it. To write to a device, FIFO or pipe, use `-o -` and ' +
        `redirect: \`-o - > ${printable(path)}\``,
      ExitCode.Io,
    );
  }
  if (force) return;
  throw new CliError(
    `'${printable(path)}' already exists: pass --force to replace it, or choose another --output`,
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
  readonly #replacing: InPlaceTarget | undefined;

  private constructor(path: string, tempPath: string, stream: WriteStream, replacing?: InPlaceTarget) {
    this.path = path;
    this.tempPath = tempPath;
    this.stream = stream;
    this.#replacing = replacing;
  }

  /**
   * A new output at `path` (mode 0600), or with `replacing`, the new version of that existing file,
   * which gets its mode, and its owner and group where the process may set them.
   */
  static async create(path: string, replacing?: InPlaceTarget): Promise<AtomicOutput> {
    if (!replacing) await assertWritable(path, true);
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
    return new AtomicOutput(path, tempPath, stream, replacing);
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
      const original = this.#replacing;
      if (original) {
        // Owner first: chown clears set-id bits. Only root may give a file away; anyone else keeps
        // the file as their own (EPERM), as any editor that saves by renaming does.
        await handle.chown(original.uid, original.gid).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EPERM') throw error;
        });
        await handle.chmod(original.mode & 0o777);
      }
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
