import { InvalidArgumentError } from '../errors.js';
import { OutputBuffer } from '../format/output-buffer.js';
import { preparedMessageLength } from './message-length.js';
import type { EncryptIntoResult, EncryptOptions } from './options.js';
import { prepareEncryption } from './prepare-encryption.js';
import { sealBody } from './seal-body.js';
import { isShared, sealMessageParallel } from '../workers/parallel-seal.js';
import { resolveWorkers } from '../workers/workers-option.js';

/**
 * `encrypt`, writing the message into the caller's `out` from its first byte instead of a fresh
 * allocation: a buffer reused from message to message is already mapped, where a fresh one of the
 * message's size is faulted in page by page (a third of a buffered encrypt's time). Size `out`
 * with `encryptedLength`; the bytes after `length` are left as they were. With `workers`, frames are
 * sealed on worker threads when `out` is a view of a SharedArrayBuffer (else on this thread).
 */
export async function encryptInto(
  plaintext: Uint8Array,
  out: Uint8Array,
  options: EncryptOptions,
): Promise<EncryptIntoResult> {
  const pool = resolveWorkers(options.workers);
  const prepared = await prepareEncryption(options, plaintext.length);
  const needed = preparedMessageLength(prepared, plaintext.length);
  if (out.length < needed) {
    throw new InvalidArgumentError(
      `out holds ${out.length} bytes; this message needs up to ${needed} (see encryptedLength)`,
    );
  }
  if (pool && isShared(out) && plaintext.length >= pool.minParallelBytes) {
    const length = await sealMessageParallel(prepared, plaintext, out, pool);
    return { length, header: prepared.header, missingRecipients: prepared.missingRecipients };
  }
  const writer = new OutputBuffer(out);
  writer.append([prepared.headerBytes]);
  sealBody(prepared.body, prepared.header.frameLength, plaintext, writer);
  return { length: writer.length, header: prepared.header, missingRecipients: prepared.missingRecipients };
}
