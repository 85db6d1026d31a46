import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { printable } from './terminal-text.js';
import { type AtomicOutputOptions, AtomicOutput } from './atomic-output.js';
import { STDIO } from './stdio.js';
import { minorGc } from '@polykms/envelope';

/** Files smaller than this finish before a progress bar would be worth drawing. */
const PROGRESS_THRESHOLD = 16 * 1024 * 1024;

/**
 * Bytes streamed between two collections of dead chunk buffers (see `minorGc`). A streamed GiB
 * peaked at 130–190 MiB RSS without them, ~115 collecting every 16 MiB, ~86 every 2 MiB; with the
 * young generation kept small (v8-settings.ts), ~82 every 2 MiB, ~79 every 1 MiB, ~78 every
 * 512 KiB (two thousand scavenges of a 1 MiB young generation per GiB, ~0.1 ms each).
 */
const GC_INTERVAL_BYTES = 512 * 1024;

export interface Source {
  readonly stream: Readable;
  /** Known for regular files; undefined for stdin, FIFOs, `<(…)`, devices. */
  readonly size: number | undefined;
}

export async function openSource(path: string): Promise<Source> {
  if (path === STDIO) return { stream: process.stdin, size: undefined };
  const stats = await stat(path);
  if (stats.isDirectory()) {
    throw new CliError(
      `'${printable(path)}' is a directory, not a file: for every file under it, use encrypt -r, decrypt -r or migrate`,
      ExitCode.Io,
    );
  }
  // A FIFO or /dev/stdin reports size 0, which is not how much it will deliver.
  return { stream: createReadStream(path), size: stats.isFile() ? stats.size : undefined };
}

/**
 * Counts bytes through to a progress bar on a terminal (a plain pass-through otherwise), and
 * collects dead chunk buffers every `GC_INTERVAL_BYTES`, which keeps a streamed gigabyte's peak
 * memory flat.
 */
function progressCounter(size: number | undefined, label: string | undefined): Transform {
  const progress =
    label !== undefined && size !== undefined && size >= PROGRESS_THRESHOLD
      ? createProgress(size, label, 'bytes')
      : undefined;
  let sinceGc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      progress?.increment(chunk.length);
      sinceGc += chunk.length;
      if (sinceGc >= GC_INTERVAL_BYTES) {
        sinceGc = 0;
        minorGc();
      }
      callback(null, chunk);
    },
    flush(callback) {
      progress?.stop();
      callback();
    },
  });
}

interface StreamOutputOptions extends AtomicOutputOptions {
  /** Checks the finished file (its temporary path) before it is put in place; a throw discards it. */
  readonly verify?: ((path: string) => Promise<void>) | undefined;
}

/**
 * Streams `source` through `transform` into `output`: to stdout as it goes, or into a file that
 * appears only once everything succeeded and `file.verify` passed (see AtomicOutput for `file`).
 * `label` names the work on a progress bar; without it there is none (a run over a tree draws its
 * own line).
 */
export async function streamToOutput(
  source: Source,
  transform: Transform,
  output: string,
  label: string | undefined,
  file: StreamOutputOptions = {},
): Promise<void> {
  const counter = progressCounter(source.size, label);
  if (output === STDIO) {
    await pipeline(source.stream, counter, transform, process.stdout, { end: false });
    return;
  }
  // A transform may fail as soon as it is constructed (bad arguments), while the output file is
  // still being created: held here and thrown once it is (which removes it), not left to crash
  // the process as an unhandled 'error' event.
  let early: { error: unknown } | undefined;
  const holdError = (error: unknown) => {
    early ??= { error };
  };
  transform.on('error', holdError);
  source.stream.on('error', holdError);
  const target = await AtomicOutput.create(output, file);
  try {
    if (early) throw early.error;
    await pipeline(source.stream, counter, transform, target.stream);
    await file.verify?.(target.tempPath);
    await target.commit();
  } catch (error) {
    await target.abort();
    throw error;
  }
}
