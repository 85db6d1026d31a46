import { regularFrameSize } from '../format/body.js';
import { parseHeader } from '../format/header.js';
import { assertBodyWithinMaxFrames } from '../format/max-frames.js';
import { OutputBuffer } from '../format/output-buffer.js';
import { freeNow } from '../crypto/free-now.js';
import { zeroize } from '../crypto/zeroize.js';
import type { MessageHeader } from '../format/header.js';
import type { FramePool } from '../workers/frame-pool.js';
import { openBodyParallel } from '../workers/parallel-open.js';
import { resolveWorkers } from '../workers/workers-option.js';
import { openHeader, startVerifier, unlockHeader } from './open-header.js';
import type { DecryptOptions, DecryptResult } from './options.js';

/**
 * Decrypts a whole message. Plaintext is returned only after every frame, and the signature of
 * signed suites, has been verified; on any failure, what was decrypted so far is zeroed.
 */
export async function decrypt(message: Uint8Array, options: DecryptOptions): Promise<DecryptResult> {
  const pool = resolveWorkers(options.workers);
  const header = parseHeader(message, options);
  assertBodyWithinMaxFrames(header, message.length - header.length, options.maxFrames);
  if (pool && header.contentType === 'framed' && message.length - header.length >= pool.minParallelBytes) {
    return decryptParallel(header, message, options, pool);
  }
  const opened = await openHeader(header, message, options);
  const body = message.subarray(header.length);
  const framed = header.contentType === 'framed';
  // Every frame's plaintext is shorter than its bytes on the wire, complete message or not, so the
  // body length bounds the plaintext: never an allocation larger than the input, whatever the header says.
  const out = new OutputBuffer(body.length);
  // Frame-sized pieces: each frame's plaintext is copied out while still in cache.
  const step = framed ? regularFrameSize(header.frameLength) : Math.max(1, body.length);
  try {
    for (let offset = 0; offset < body.length; offset += step) {
      const parts = opened.body.push(body.subarray(offset, offset + step));
      out.append(parts);
      // Copied out: zeroed, and their memory returned now rather than at the next GC.
      for (const part of parts) {
        part.fill(0);
        freeNow(part);
      }
    }
    opened.body.finish();
  } catch (error) {
    out.wipe();
    throw error;
  }
  return {
    plaintext: out.finish(),
    header,
    encryptionContext: opened.encryptionContext,
    encryptedDataKey: opened.encryptedDataKey,
  };
}

async function decryptParallel(
  header: MessageHeader,
  message: Uint8Array,
  options: DecryptOptions,
  pool: FramePool,
): Promise<DecryptResult> {
  const unlocked = await unlockHeader(header, options);
  zeroize(unlocked.dataKey);
  const verifier = startVerifier(header, message, unlocked);
  return {
    plaintext: await openBodyParallel(header, message, unlocked.key, verifier, pool),
    header,
    encryptionContext: unlocked.encryptionContext,
    encryptedDataKey: unlocked.encryptedDataKey,
  };
}
