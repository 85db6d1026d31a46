import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { exportLines } from './env.js';

/**
 * Writes the export lines to `file` atomically (a temporary file renamed over it), so a CI step
 * polling for the file never reads half of it. Mode 0600: it carries the admin token.
 */
export async function writeEnvFile(file: string, env: Readonly<Record<string, string>>): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, exportLines(env), { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Removes a previous run's env file, so nobody waiting for this run reads stale ports. */
export function removeEnvFile(file: string): Promise<void> {
  return rm(file, { force: true });
}

const EXPORT_LINE = /^export ([A-Z_][A-Z0-9_]*)='((?:[^']|'\\'')*)'$/;

/** Reads a file of `export NAME='value'` lines (as `exportLines` writes them); undefined if absent. */
export async function readEnvFile(file: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = EXPORT_LINE.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2].replaceAll(`'\\''`, "'");
  }
  return env;
}
