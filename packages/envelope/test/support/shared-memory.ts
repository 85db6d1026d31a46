import { vi } from 'vitest';

/**
 * Replaces the global SharedArrayBuffer with a subclass that records every instance, so that a
 * test can look for plaintext or key bytes left in shared memory. Returns the live list.
 */
export function recordSharedArrayBuffers(): SharedArrayBuffer[] {
  const created: SharedArrayBuffer[] = [];
  vi.stubGlobal(
    'SharedArrayBuffer',
    class RecordedSharedArrayBuffer extends SharedArrayBuffer {
      constructor(length: number) {
        super(length);
        created.push(this);
      }
    },
  );
  return created;
}

/** `data` in views of `size` bytes (the last one shorter), as a stream would deliver it. */
export function chunksOf(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}
