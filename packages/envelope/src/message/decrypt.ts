import { regularFrameSize } from '../format/body.js';
import { parseHeader } from '../format/header.js';
import { assertBodyWithinMaxFrames } from '../format/max-frames.js';
import { OutputBuffer } from '../format/output-buffer.js';
import { freeNow } from '../crypto/free-now.js';
import { zeroize } from '../crypto/zeroize.js';
import type { MessageHeader } from '../format/header.js';
import type { FramePool } from '../workers/frame-pool.js';
import { openBodyParallel } from '../workers/parallel-open.js';
import { isShared } from '../workers/parallel-seal.js';
import { resolveWorkers } from '../workers/workers-option.js';
import { openHeader, startVerifier, unlockHeader } from './open-header.js';
import { assertPlaintextFits } from './plaintext-fits.js';
import type { DecryptIntoResult, DecryptOptions, DecryptResult } from './options.js';

/**
 * Decrypts a whole message. Plaintext is returned only after every frame, and the signature of
 * signed suites, has been verified; on any failure, what was decrypted so far is zeroed.
 */
export async function decrypt(message: Uint8Array, options: DecryptOptions): Promise<DecryptResult> {
  return decryptBuffered(message, options, undefined);
}

/**
 * `decrypt`, writing the plaintext into the caller's `out` from its first byte: memory reused from
 * message to message is already mapped, and with `workers` a shared `out` reused is never a new
 * SharedArrayBuffer left for the GC. `message.length` bytes always suffice (the plaintext is
 * shorter than its message); an `out` too small for this plaintext fails with
 * `ERR_INVALID_ARGUMENT`. Each frame's plaintext is written once its tag verified, and this
 * resolves only once every frame and the signature did; on any failure every byte written is
 * zeroed before it rejects. Read `out` only after it resolves (workers write a shared `out` while
 * later frames are still being checked). Bytes after `length` are left as they were.
 */
export async function decryptInto(
  message: Uint8Array,
  out: Uint8Array,
  options: DecryptOptions,
): Promise<DecryptIntoResult> {
  const { plaintext, ...result } = await decryptBuffered(message, options, out);
  return { ...result, length: plaintext.length };
}

/** `into`: the caller's memory (decryptInto), else a fresh allocation. */
async function decryptBuffered(
  message: Uint8Array,
  options: DecryptOptions,
  into: Uint8Array | undefined,
): Promise<DecryptResult> {
  const pool = resolveWorkers(options.workers);
  const header = parseHeader(message, options);
  assertBodyWithinMaxFrames(header, message.length - header.length, options.maxFrames);
  if (pool && header.contentType === 'framed' && message.length - header.length >= pool.minParallelBytes) {
    // Workers write only into shared memory: a caller's ordinary buffer is filled on this thread.
    if (into === undefined || isShared(into)) return decryptParallel(header, message, options, pool, into);
  }
  const opened = await openHeader(header, message, options);
  const body = message.subarray(header.length);
  const framed = header.contentType === 'framed';
  // Every frame's plaintext is shorter than its bytes on the wire, complete message or not, so the
  // body length bounds the plaintext: never an allocation larger than the input, whatever the header says.
  const out = new OutputBuffer(into ?? body.length);
  // Frame-sized pieces: each frame's plaintext is copied out while still in cache.
  const step = framed ? regularFrameSize(header.frameLength) : Math.max(1, body.length);
  try {
    for (let offset = 0; offset < body.length; offset += step) {
      const parts = opened.body.push(body.subarray(offset, offset + step));
      try {
        if (into) assertPlaintextFits(out.length + byteLength(parts), into);
        out.append(parts);
      } finally {
        // Copied out (or refused): zeroed, and their memory returned now rather than at the next GC.
        for (const part of parts) {
          part.fill(0);
          freeNow(part);
        }
      }
    }
    opened.body.finish();
  } catch (error) {
    out.wipe();
    throw error;
  }
  const rest = {
    header,
    encryptionContext: opened.encryptionContext,
    encryptedDataKey: opened.encryptedDataKey,
  };
  return { plaintext: into ? into.subarray(0, out.length) : out.finish(), ...rest };
}

function byteLength(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}

async function decryptParallel(
  header: MessageHeader,
  message: Uint8Array,
  options: DecryptOptions,
  pool: FramePool,
  into: Uint8Array<SharedArrayBuffer> | undefined,
): Promise<DecryptResult> {
  const unlocked = await unlockHeader(header, options);
  zeroize(unlocked.dataKey);
  const verifier = startVerifier(header, message, unlocked);
  return {
    plaintext: await openBodyParallel(header, message, unlocked.key, verifier, pool, into),
    header,
    encryptionContext: unlocked.encryptionContext,
    encryptedDataKey: unlocked.encryptedDataKey,
  };
}
