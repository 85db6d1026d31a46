import type { KeyObject } from 'node:crypto';
import type { MessageVerifier } from '../crypto/signature.js';
import { MalformedMessageError } from '../errors.js';
import { frameAad } from '../format/body.js';
import { framedBodySpans } from '../format/frame-spans.js';
import type { MessageHeader } from '../format/header.js';
import type { FrameTask } from './frame-job.js';
import type { FramePool } from './frame-pool.js';
import { isShared } from './parallel-seal.js';
import { runFrameJobs } from './run-jobs.js';
import { SharedKey } from './shared-key.js';
import { runStagedFrameJobs } from './staged-jobs.js';
import { assertPlaintextFits } from '../message/plaintext-fits.js';

/**
 * Opens the framed body of a buffered message on `pool`'s threads, into shared memory. This thread
 * walks the frame prefixes (checking each, in order, as `BodyDecryptor` does), hands each frame's
 * IV, AAD and offsets to the workers, then feeds the signature verifier of signed suites. Workers
 * write a frame's plaintext only after its tag verified. The plaintext is returned only once every
 * frame and the signature verified; on any failure it is zeroed and the error thrown
 * (a bad tag anywhere: `ERR_DECRYPTION_FAILED`). A message not itself in shared memory reaches
 * the workers through staging windows this thread fills as they go (`runStagedFrameJobs`). The
 * plaintext goes into `into` when given (decryptInto: a frame that would not fit is refused before
 * it is handed out), else into fresh shared memory.
 */
export async function openBodyParallel(
  header: MessageHeader,
  message: Uint8Array,
  key: KeyObject,
  verifier: MessageVerifier | undefined,
  pool: FramePool,
  into?: Uint8Array<SharedArrayBuffer>,
): Promise<Uint8Array> {
  const { suite, frameLength, messageId } = header;
  const body = message.subarray(header.length);
  // Offsets into the message's shared memory, or into the body itself to be staged.
  const base = isShared(message) ? body.byteOffset : 0;
  // Every frame's plaintext is shorter than its bytes on the wire: the body length bounds it.
  const out = into ?? Buffer.from(new SharedArrayBuffer(body.length));
  let plaintextLength = 0;
  /** Where the final frame ends, once the walk got there. */
  let bodyEnd: number | undefined;

  function* tasks(): Generator<FrameTask> {
    const spans = framedBodySpans(body, frameLength);
    for (let next = spans.next(); ; next = spans.next()) {
      if (next.done) {
        bodyEnd = next.value;
        return;
      }
      const span = next.value;
      if (into) assertPlaintextFits(plaintextLength + span.contentLength, into);
      yield {
        iv: span.iv,
        aad: frameAad(messageId, span.kind, span.sequenceNumber, span.contentLength),
        from: base + span.contentAt,
        length: span.contentLength,
        to: out.byteOffset + plaintextLength,
        tagAt: base + span.tagAt,
      };
      plaintextLength += span.contentLength;
    }
  }

  const sharedKey = new SharedKey(key);
  const job = { op: 'open', cipher: suite.cipher, tagLength: suite.tagLength, output: out.buffer } as const;
  try {
    if (isShared(message)) {
      await runFrameJobs(pool, { ...job, input: message.buffer }, sharedKey, tasks(), body.length);
    } else {
      await runStagedFrameJobs(body, pool, job, sharedKey, tasks(), frameLength);
    }
    // Every frame authenticated; the walk ended at the final frame. Then the footer.
    const end = bodyEnd!;
    checkFooter(body.subarray(end), verifier, () => verifier?.update(body.subarray(0, end)));
  } catch (error) {
    // Everything a worker may have written (a caller's out beyond it is left as it was).
    out.fill(0, 0, into ? plaintextLength : out.length);
    throw error;
  } finally {
    sharedKey.wipe();
  }
  return out.subarray(0, plaintextLength);
}

/** What follows the final frame: nothing, or (signed suites) exactly one footer that verifies. */
function checkFooter(rest: Uint8Array, verifier: MessageVerifier | undefined, feedBody: () => void): void {
  if (!verifier) {
    if (rest.length > 0) throw new MalformedMessageError('trailing bytes after the end of the message');
    return;
  }
  if (rest.length < 2 || rest.length < 2 + ((rest[0]! << 8) | rest[1]!)) {
    throw new MalformedMessageError('the message is truncated');
  }
  const signatureLength = (rest[0]! << 8) | rest[1]!;
  // In the order the streaming reader meets them: the signature, then anything after it.
  feedBody();
  verifier.finish(rest.subarray(2, 2 + signatureLength));
  if (rest.length > 2 + signatureLength) {
    throw new MalformedMessageError('trailing bytes after the end of the message');
  }
}
