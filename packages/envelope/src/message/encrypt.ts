import { OutputBuffer } from '../format/output-buffer.js';
import { preparedMessageLength } from './message-length.js';
import type { EncryptOptions, EncryptResult } from './options.js';
import { prepareEncryption } from './prepare-encryption.js';
import { sealBody } from './seal-body.js';
import { sealMessageParallel } from '../workers/parallel-seal.js';
import { resolveWorkers } from '../workers/workers-option.js';

/** Encrypts `plaintext` into one message (v2, framed) whose data key `options.keyring` wraps. */
export async function encrypt(plaintext: Uint8Array, options: EncryptOptions): Promise<EncryptResult> {
  const pool = resolveWorkers(options.workers);
  const prepared = await prepareEncryption(options, plaintext.length);
  const capacity = preparedMessageLength(prepared, plaintext.length);
  if (pool && plaintext.length >= pool.minParallelBytes) {
    const shared = Buffer.from(new SharedArrayBuffer(capacity));
    const length = await sealMessageParallel(prepared, plaintext, shared, pool);
    return {
      message: shared.subarray(0, length),
      header: prepared.header,
      missingRecipients: prepared.missingRecipients,
    };
  }
  const out = new OutputBuffer(capacity);
  out.append([prepared.headerBytes]);
  sealBody(prepared.body, prepared.header.frameLength, plaintext, out);
  return {
    message: out.finish(),
    header: prepared.header,
    missingRecipients: prepared.missingRecipients,
  };
}
