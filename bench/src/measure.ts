/** Bytes per second → MiB/s. */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / (1024 * 1024) / (ms / 1000);
}

/** Runs `work` `runs` times and returns the fastest run's milliseconds (least disturbed by neighbours). */
export async function fastest(runs: number, work: () => Promise<unknown> | unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Operations per second over about `ms` milliseconds of repeated `op` calls. */
export async function rate(ms: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await op(); // warm-up
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 50; i++) await op();
    count += 50;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function formatBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB) return `${Math.round(n / MiB)} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}
