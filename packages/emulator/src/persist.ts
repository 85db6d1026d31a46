import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** What the state file holds: each cloud front end's own snapshot, keyed by cloud. */
const stateFileSchema = z.object({
  format: z.literal('polykms-emulator-state'),
  version: z.literal(1),
  clouds: z.record(z.string(), z.unknown()),
});

export type SavedClouds = Record<string, unknown>;

/** Reads a state file; an absent file is an empty state, a malformed one is an error (never overwritten silently). */
export async function loadStateFile(file: string): Promise<SavedClouds> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`emulator state file ${file} is not valid JSON; move it away to start afresh`);
  }
  const parsed = stateFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`emulator state file ${file} is not a polykms emulator state file`);
  return parsed.data.clouds;
}

/** Writes atomically: a reader (or a crash) sees the old file or the new one, never half of one. */
async function writeStateFile(file: string, clouds: SavedClouds): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const body = JSON.stringify({ format: 'polykms-emulator-state', version: 1, clouds }, null, 2);
  try {
    await writeFile(temporary, body, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export interface StatePersister {
  /** Asks for a save soon; bursts of changes are written once. */
  schedule(): void;
  /** Writes any pending change now and waits for it. */
  flush(): Promise<void>;
}

/**
 * Saves `collect()` to `file` after changes, debounced, one write at a time. A failed write is
 * reported through `onError` and retried at the next change.
 */
export function createStatePersister(
  file: string,
  collect: () => SavedClouds,
  options: { debounceMs?: number; onError?: (error: unknown) => void } = {},
): StatePersister {
  const debounceMs = options.debounceMs ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();

  const write = () => {
    timer = undefined;
    if (!dirty) return writing;
    dirty = false;
    const clouds = collect();
    writing = writing
      .then(() => writeStateFile(file, clouds))
      .catch((error: unknown) => {
        dirty = true;
        options.onError?.(error);
      });
    return writing;
  };

  return {
    schedule() {
      dirty = true;
      if (timer === undefined) timer = setTimeout(write, debounceMs);
    },
    async flush() {
      if (timer !== undefined) clearTimeout(timer);
      await write();
    },
  };
}
