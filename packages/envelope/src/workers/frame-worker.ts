/**
 * A frame worker: seals or opens the frames of one job with AES-GCM and writes the results into
 * shared memory. It imports only node: modules, `minor-gc` and `free-now` (so that it loads fast
 * and small, and runs from the TypeScript sources in tests). Opened plaintext is written to the
 * shared output only after its tag verified, and the worker's own copy is zeroed (and freed); the
 * key's KeyObject lives for one job.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { FrameJob, FrameJobResult, FrameTask } from './frame-job.js';
// A .ts specifier (rewritten to .js by tsc): in tests this file runs from its TypeScript source.
import { freeNow } from '../crypto/free-now.ts';
import { minorGc } from './minor-gc.ts';

function seal(job: FrameJob, key: KeyObject, task: FrameTask, input: Uint8Array, output: Uint8Array): void {
  const cipher = createCipheriv(job.cipher as 'aes-256-gcm', key, task.iv, { authTagLength: job.tagLength });
  cipher.setAAD(task.aad);
  const ciphertext = cipher.update(input.subarray(task.from, task.from + task.length));
  cipher.final();
  output.set(ciphertext, task.to);
  freeNow(ciphertext);
  output.set(cipher.getAuthTag(), task.tagAt);
}

function open(
  job: FrameJob,
  key: KeyObject,
  task: FrameTask,
  input: Uint8Array,
  output: Uint8Array,
): boolean {
  const decipher = createDecipheriv(job.cipher as 'aes-256-gcm', key, task.iv, {
    authTagLength: job.tagLength,
  });
  decipher.setAAD(task.aad);
  decipher.setAuthTag(input.subarray(task.tagAt, task.tagAt + job.tagLength));
  const plaintext = decipher.update(input.subarray(task.from, task.from + task.length));
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    freeNow(plaintext);
    return false;
  }
  output.set(plaintext, task.to);
  plaintext.fill(0);
  freeNow(plaintext);
  return true;
}

function run(job: FrameJob): FrameJobResult {
  const key = createSecretKey(new Uint8Array(job.key));
  const input = new Uint8Array(job.input);
  const output = new Uint8Array(job.output);
  for (const task of job.frames) {
    if (job.op === 'seal') seal(job, key, task, input, output);
    else if (!open(job, key, task, input, output)) return { ok: false, reason: 'authentication' };
  }
  return { ok: true };
}

parentPort?.on('message', (job: FrameJob) => {
  let result: FrameJobResult;
  try {
    result = run(job);
  } catch (error) {
    // node:crypto's messages name the failure (bad IV length, unknown cipher), never key bytes.
    result = { ok: false, reason: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(result);
  if (job.collect) minorGc();
});
