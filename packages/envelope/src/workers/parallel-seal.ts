import { tooManyFrames } from '../body/encryptor.js';
import { InvalidArgumentError } from '../errors.js';
import {
  FINAL_FRAME_PREFIX_LENGTH,
  FRAME_TAG_LENGTH,
  REGULAR_FRAME_PREFIX_LENGTH,
  finalFramePrefix,
  frameAad,
  frameIv,
  regularFrameSize,
  regularFramePrefix,
} from '../format/body.js';
import { ByteWriter } from '../format/writer.js';
import { MAX_FRAME_COUNT } from '../limits.js';
import type { PreparedEncryption } from '../message/prepare-encryption.js';
import type { FrameTask } from './frame-job.js';
import type { FramePool } from './frame-pool.js';
import { runFrameJobs } from './run-jobs.js';
import { SharedKey } from './shared-key.js';
import { runStagedFrameJobs } from './staged-jobs.js';

/** True when `bytes` is a view of shared memory that frame workers can write into. */
export function isShared(bytes: Uint8Array): bytes is Uint8Array<SharedArrayBuffer> {
  return bytes.buffer instanceof SharedArrayBuffer;
}

/**
 * Writes the whole message into `out` (shared memory), its frames sealed on `pool`'s threads:
 * byte for byte what `BodyEncryptor` writes, since each frame's IV and AAD depend only on its
 * sequence number and length, which the layout fixes in advance. This thread writes the header
 * and the frame prefixes; workers write each frame's ciphertext and tag, reading the plaintext
 * where it is when it is shared memory, else from staging windows this thread fills as they go
 * (`runStagedFrameJobs`). The signature of signed suites is computed here afterwards, over the
 * body in order. On failure everything written is zeroed. Returns the message length.
 */
export async function sealMessageParallel(
  prepared: PreparedEncryption,
  plaintext: Uint8Array,
  out: Uint8Array,
  pool: FramePool,
): Promise<number> {
  if (!isShared(out)) throw new InvalidArgumentError('parallel sealing needs an output in shared memory');
  const { suite, messageId, frameLength } = prepared.header;
  const fullFrames = Math.floor(plaintext.length / frameLength);
  const rest = plaintext.length - fullFrames * frameLength;
  if (fullFrames + 1 > MAX_FRAME_COUNT) throw tooManyFrames();
  const headerLength = prepared.headerBytes.length;
  const finalAt = headerLength + fullFrames * regularFrameSize(frameLength);
  const bodyEnd = finalAt + FINAL_FRAME_PREFIX_LENGTH + rest + FRAME_TAG_LENGTH;
  // Offsets into the plaintext's shared memory, or into the plaintext itself to be staged.
  const inputBase = isShared(plaintext) ? plaintext.byteOffset : 0;

  function* tasks(): Generator<FrameTask> {
    for (let n = 1; n <= fullFrames + 1; n++) {
      const final = n === fullFrames + 1;
      const length = final ? rest : frameLength;
      const at = final ? finalAt : headerLength + (n - 1) * regularFrameSize(frameLength);
      const iv = frameIv(n);
      out.set(final ? finalFramePrefix(n, iv, rest) : regularFramePrefix(n), at);
      const ciphertextAt = at + (final ? FINAL_FRAME_PREFIX_LENGTH : REGULAR_FRAME_PREFIX_LENGTH);
      yield {
        iv,
        aad: frameAad(messageId, final ? 'final' : 'frame', n, length),
        from: inputBase + (n - 1) * frameLength,
        length,
        to: out.byteOffset + ciphertextAt,
        tagAt: out.byteOffset + ciphertextAt + length,
      };
    }
  }

  out.set(prepared.headerBytes, 0);
  const key = new SharedKey(prepared.frameKey);
  try {
    const job = { op: 'seal', cipher: suite.cipher, tagLength: suite.tagLength, output: out.buffer } as const;
    if (isShared(plaintext)) {
      await runFrameJobs(pool, { ...job, input: plaintext.buffer }, key, tasks(), plaintext.length);
    } else {
      await runStagedFrameJobs(plaintext, pool, job, key, tasks(), frameLength);
    }
  } catch (error) {
    out.fill(0, 0, bodyEnd);
    throw error;
  } finally {
    key.wipe();
  }
  if (!prepared.signer) return bodyEnd;
  prepared.signer.update(out.subarray(headerLength, bodyEnd));
  const footer = new ByteWriter().u16Prefixed(prepared.signer.finish()).finish();
  out.set(footer, bodyEnd);
  return bodyEnd + footer.length;
}
