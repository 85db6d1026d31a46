/**
 * What the main thread sends a frame worker. The worker knows nothing of the message format: the
 * main thread lays the message out and hands over, per frame, the IV, the AAD and where the bytes
 * are. All offsets are into the shared buffers.
 */
export interface FrameTask {
  readonly iv: Uint8Array;
  readonly aad: Uint8Array;
  /** Where the input (plaintext to seal, ciphertext to open) starts in `input`. */
  readonly from: number;
  readonly length: number;
  /** Where the output (ciphertext, or authenticated plaintext) goes in `output`. */
  readonly to: number;
  /** Where the tag goes (seal, in `output`) or is read from (open, in `input`). */
  readonly tagAt: number;
}

export interface FrameJob {
  readonly op: 'seal' | 'open';
  /** node:crypto cipher name, e.g. `aes-256-gcm`. */
  readonly cipher: string;
  readonly tagLength: number;
  /** The message's derived key, shared (not copied) with every worker; the main thread zeroes it. */
  readonly key: SharedArrayBuffer;
  readonly input: SharedArrayBuffer;
  readonly output: SharedArrayBuffer;
  readonly frames: readonly FrameTask[];
  /** Run a young-generation collection after the job (see `FramePoolOptions.collectAfterJobs`). */
  readonly collect?: boolean | undefined;
}

export type FrameJobResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'authentication' }
  | { readonly ok: false; readonly reason: 'error'; readonly message: string };
