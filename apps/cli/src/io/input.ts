import { readFile } from 'node:fs/promises';

export const STDIO = '-';

/** Reads a whole file, or stdin for `-`. */
export async function readInput(path: string): Promise<Uint8Array> {
  if (path === STDIO) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  return readFile(path);
}
