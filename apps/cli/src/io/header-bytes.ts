import { open } from 'node:fs/promises';
import { DEFAULT_MAX_HEADER_BYTES, peekHeader } from '@polykms/envelope';
import { STDIO } from './stdio.js';

interface HeaderBytes {
  /** The start of the message: at least the whole header when it is within the header limit. */
  readonly bytes: Uint8Array;
  /** The size of the whole message; undefined for stdin, which is read only as far as the header. */
  readonly totalLength: number | undefined;
}

/** Reads stdin only as far as the header: a 50 GB message, or a stream that never ends, is not read. */
async function readStdinHeader(limit: number): Promise<HeaderBytes> {
  const { header, message } = await peekHeader(process.stdin, { maxHeaderBytes: limit });
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of message) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= header.length) break; // ends the iteration, which stops reading stdin
  }
  process.stdin.destroy();
  return { bytes: Buffer.concat(chunks).subarray(0, header.length), totalLength: undefined };
}

/** Reads no more of a file than a header can take, so inspecting a 50 GB message is instant. */
export async function readHeaderBytes(path: string, limit = DEFAULT_MAX_HEADER_BYTES): Promise<HeaderBytes> {
  if (path === STDIO) return readStdinHeader(limit);
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
