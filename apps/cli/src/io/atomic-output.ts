import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { link, open, rename, rm, stat } from 'node:fs/promises';
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

export interface AtomicOutputOptions {
  /** The output is this existing file's new version (in-place rewrap): it keeps its mode and owner. */
  readonly replacing?: InPlaceTarget | undefined;
  /** Replace a file of that name (default true; false without --force). */
  readonly overwrite?: boolean | undefined;
}

/** Longest name a file system takes (ext4, APFS, NTFS: 255 bytes), less room for our suffixes. */
const MAX_STEM_BYTES = 200;

/** The target's name as part of the temporary name, cut to leave room for the rest. */
function nameStem(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= MAX_STEM_BYTES) return name;
  return bytes
    .subarray(0, MAX_STEM_BYTES)
    .toString('utf8')
    .replace(/\uFFFD+$/u, '');
}

/**
 * Makes a rename in `directory` survive a crash: without it, the directory entry may still name
 * the old file after a power loss, bringing back a message under a key that may be retired.
 */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Not every platform can open or sync a directory (Windows); the rename itself stands.
  } finally {
    await handle?.close();
  }
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
  readonly #overwrite: boolean;

  private constructor(path: string, tempPath: string, stream: WriteStream, options: AtomicOutputOptions) {
    this.path = path;
    this.tempPath = tempPath;
    this.stream = stream;
    this.#replacing = options.replacing;
    this.#overwrite = options.overwrite ?? true;
  }

  /**
   * A new output at `path` (mode 0600), or with `replacing`, the new version of that existing file,
   * which gets its mode, and its owner and group where the process may set them. Without
   * `overwrite`, a file that appears at `path` while the output is written is not replaced.
   */
  static async create(path: string, options: AtomicOutputOptions = {}): Promise<AtomicOutput> {
    const { replacing, overwrite = true } = options;
    if (!replacing) await assertWritable(path, overwrite);
    installCleanupHooks();
    const tempPath = join(
      dirname(path),
      `.${nameStem(basename(path))}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
    );
    pending.add(tempPath);
    const stream = createWriteStream(tempPath, { flags: 'wx', mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (error) {
      pending.delete(tempPath);
      throw error;
    }
    return new AtomicOutput(path, tempPath, stream, options);
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
    if (this.#overwrite || this.#replacing) {
      await rename(this.tempPath, this.path);
    } else {
      await this.#placeWithoutReplacing();
    }
    pending.delete(this.tempPath);
    await syncDirectory(dirname(this.path));
  }

  /** link, unlike rename, fails if the name exists: a file that appeared since the start wins. */
  async #placeWithoutReplacing(): Promise<void> {
    const appeared = () =>
      new CliError(
        `'${printable(this.path)}' appeared while the output was written: pass --force to replace it`,
        ExitCode.Io,
      );
    try {
      await link(this.tempPath, this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw appeared();
      // No hard links on this file system (FAT, some network mounts): check, then rename.
      if (await stat(this.path).catch(() => undefined)) throw appeared();
      await rename(this.tempPath, this.path);
      return;
    }
    await rm(this.tempPath);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tempPath, { force: true });
    pending.delete(this.tempPath);
  }
}

/** Writes `data` to `path` atomically (see AtomicOutput). */
export async function writeFileAtomic(path: string, data: Uint8Array, overwrite = true): Promise<void> {
  const output = await AtomicOutput.create(path, { overwrite });
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
