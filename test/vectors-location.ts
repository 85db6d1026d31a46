import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The published vectors live in the repository at `test/vectors/` (with their licenses), so a clone
 * alone runs every test.
 */
export function vectorsDir(): string {
  const dir = fileURLToPath(new URL('./vectors/', import.meta.url));
  if (!existsSync(join(dir, 'README.md'))) throw new Error(`the published vectors were not found at ${dir}`);
  return dir;
}
