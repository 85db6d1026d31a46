import { open } from 'node:fs/promises';
import { DEFAULT_MAX_HEADER_BYTES } from '@polykms/envelope';
import { STDIO, readInput } from './input.js';

export interface HeaderBytes {
  /** The start of the message: at least the whole header when it is within the header limit. */
  readonly bytes: Uint8Array;
  /** The size of the whole message. */
  readonly totalLength: number;
}

/** Reads no more of a file than a header can take, so inspecting a 50 GB message is instant. */
export async function readHeaderBytes(path: string, limit = DEFAULT_MAX_HEADER_BYTES): Promise<HeaderBytes> {
  if (path === STDIO) {
    const bytes = await readInput(path);
    return { bytes, totalLength: bytes.length };
  }
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, limit));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { bytes: buffer.subarray(0, bytesRead), totalLength: size };
  } finally {
    await handle.close();
  }
}
