import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The published vectors live beside the project at `../shared/vectors` (relative to the project
 * root) and are never copied into it. A git worktree sits deeper than the main checkout, so the
 * project root's ancestors are searched for the nearest `shared/vectors`.
 */
export function sharedVectorsDir(): string {
  const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (let dir = join(projectRoot, '..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'vectors');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`the published vectors were not found at ../shared/vectors from ${projectRoot} or above`);
}
