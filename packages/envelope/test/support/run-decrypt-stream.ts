import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type StreamDecryptOptions, decryptStream } from '@polykms/envelope';

/** Runs a decrypt stream over `chunks`: what it released and how it ended. */
export async function runDecryptStream(
  chunks: readonly Uint8Array[],
  options: StreamDecryptOptions,
): Promise<{ released: Buffer; error: unknown }> {
  const released: Buffer[] = [];
  let error: unknown;
  try {
    await pipeline(
      Readable.from(chunks),
      decryptStream(options),
      new Writable({
        write(chunk, _encoding, callback) {
          released.push(chunk);
          callback();
        },
      }),
    );
  } catch (caught) {
    error = caught;
  }
  return { released: Buffer.concat(released), error };
}
