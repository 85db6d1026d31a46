import { createHash } from 'node:crypto';
import { listFiles } from '../io/list-files.js';
import type { Shard } from '../options.js';

/** Which worker of `--shard i/n` owns a file: by a hash of its path, so it never depends on listing order. */
export function shardOf(relativePath: string, count: number): number {
  return createHash('sha256').update(relativePath).digest().readUInt32BE(0) % count;
}

/** The files under `dir` (relative, sorted) that this worker takes. */
export async function selectFiles(dir: string, shard: Shard | undefined): Promise<string[]> {
  const files = await listFiles(dir);
  return shard ? files.filter((file) => shardOf(file, shard.count) === shard.index) : files;
}
