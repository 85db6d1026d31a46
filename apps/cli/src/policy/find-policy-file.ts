import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The policy file's name, looked for in the working directory and each of its parents. */
export const POLICY_FILE_NAME = '.polykms.yaml';

/**
 * The nearest `.polykms.yaml` from `start` upward, as `.sops.yaml` is found: the working
 * directory first, then each parent up to the filesystem root. Undefined when there is none.
 */
export async function findPolicyFile(start: string): Promise<string | undefined> {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, POLICY_FILE_NAME);
    if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
