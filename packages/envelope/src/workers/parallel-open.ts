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

/**
 * Opens the framed body of a buffered message on `pool`'s threads, into shared memory. This thread
 * walks the frame prefixes (checking each, in order, as `BodyDecryptor` does), hands each frame's
 * IV, AAD and offsets to the workers, and meanwhile feeds the signature verifier of signed suites.
 * Workers write a frame's plaintext only after its tag verified. The plaintext is returned only
 * once every frame and the signature verified; on any failure it is zeroed and the error thrown
 * (a bad tag anywhere: `ERR_DECRYPTION_FAILED`). A message not itself in shared memory is copied
 * there first (ciphertext: nothing secret).
 */
export async function openBodyParallel(
  header: MessageHeader,
  message: Uint8Array,
  key: KeyObject,
  verifier: MessageVerifier | undefined,
  pool: FramePool,
): Promise<Buffer> {
  const { suite, frameLength, messageId } = header;
  const body = message.subarray(header.length);
  const shared: Uint8Array<SharedArrayBuffer> = isShared(message)
    ? message.subarray(header.length)
    : copyToShared(body);
  const base = shared.byteOffset;
  // Every frame's plaintext is shorter than its bytes on the wire: the body length bounds it.
  const out = Buffer.from(new SharedArrayBuffer(body.length));
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
      yield {
        iv: span.iv,
        aad: frameAad(messageId, span.kind, span.sequenceNumber, span.contentLength),
        from: base + span.contentAt,
        length: span.contentLength,
        to: plaintextLength,
        tagAt: base + span.tagAt,
      };
      plaintextLength += span.contentLength;
    }
  }

  const sharedKey = new SharedKey(key);
  const opening = runFrameJobs(
    pool,
    {
      op: 'open',
      cipher: suite.cipher,
      tagLength: suite.tagLength,
      input: shared.buffer,
      output: out.buffer,
    },
    sharedKey,
    tasks(),
    body.length,
  ).finally(() => sharedKey.wipe());
  // runFrameJobs walks `tasks` before its first await, so the walk is over here (or failed, and
  // `opening` rejects with why). The signature is checked while the workers decrypt.
  let failure: unknown;
  const end = bodyEnd;
  try {
    if (end !== undefined) {
      checkFooter(body.subarray(end), verifier, () => verifier?.update(body.subarray(0, end)));
    }
  } catch (error) {
    failure = error;
  }
  try {
    await opening;
  } catch (error) {
    failure = error;
  }
  if (failure !== undefined) {
    out.fill(0);
    throw failure;
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

function copyToShared(bytes: Uint8Array): Uint8Array<SharedArrayBuffer> {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}
