import type { KeyObject } from 'node:crypto';
import { zeroize } from '../crypto/zeroize.js';

/**
 * A message's derived AES key, put where frame workers can read it without a copy per job: one
 * SharedArrayBuffer. The key is exported from its KeyObject into it (the exported Buffer is
 * zeroed at once); each worker builds its own KeyObject from a view of it for one job; `wipe`
 * zeroes the shared bytes, and is called when the message's last job has settled.
 */
export class SharedKey {
  readonly buffer: SharedArrayBuffer;

  constructor(key: KeyObject) {
    const bytes = key.export();
    this.buffer = new SharedArrayBuffer(bytes.length);
    new Uint8Array(this.buffer).set(bytes);
    zeroize(bytes);
  }

  wipe(): void {
    new Uint8Array(this.buffer).fill(0);
  }
}
