import { open } from 'node:fs/promises';
import { LimitExceededError } from '@polykms/envelope';
import { MAX_KEYSET_MESSAGE_BYTES } from '../limits.js';

/** The bytes of a keyset file, refused past MAX_KEYSET_MESSAGE_BYTES before they are read. */
export async function readKeysetFile(path: string): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size > MAX_KEYSET_MESSAGE_BYTES) {
      throw new LimitExceededError(
        `${path} is ${size} bytes; a keyset is at most ${MAX_KEYSET_MESSAGE_BYTES}`,
      );
    }
    const bytes = Buffer.alloc(size);
    const { bytesRead } = await file.read(bytes, 0, size, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
