import { opendir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TEMP_SUFFIX } from './atomic-output.js';

/**
 * Every regular file under `dir`, as paths relative to it, sorted so that runs are repeatable.
 * Symbolic links are not followed (a link could lead outside the tree or loop), and our own
 * temporary files from an interrupted run are ignored.
 */
export async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for await (const entry of await opendir(current)) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX)) found.push(relative(dir, path));
    }
  };
  await walk(dir);
  return found.sort();
}
