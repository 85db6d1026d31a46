import { randomBytes } from 'node:crypto';
import { FramePool, decrypt, encrypt } from '@polykms/envelope';
import { ourKeyring } from './keyrings.js';
import { collectSharedGarbage, mibPerSecond, race } from './measure.js';

export interface WorkerRow {
  /** 0: the calling thread. */
  readonly workers: number;
  readonly encrypt: number;
  readonly decrypt: number;
}

/** Buffered encrypt and decrypt of `size` bytes in MiB/s, on the calling thread and on pools of each size. */
export async function bufferedByWorkers(
  size: number,
  frameLength: number,
  counts: readonly number[],
): Promise<WorkerRow[]> {
  const plaintext = randomBytes(size);
  const keyring = ourKeyring();
  const { message } = await encrypt(plaintext, { keyring, frameLength });
  const rows: WorkerRow[] = [];
  for (const workers of counts) {
    const pool = workers > 0 ? new FramePool({ size: workers }) : undefined;
    try {
      const ms = await race(
        2,
        {
          enc: () => encrypt(plaintext, { keyring, frameLength, workers: pool }),
          dec: () => decrypt(message, { keyring, workers: pool }),
        },
        // Every row alike, the calling thread's too, though only workers return shared memory.
        { beforeEach: collectSharedGarbage },
      );
      rows.push({ workers, encrypt: mibPerSecond(size, ms.enc), decrypt: mibPerSecond(size, ms.dec) });
    } finally {
      await pool?.close();
    }
  }
  return rows;
}
