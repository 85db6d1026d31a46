/** Bytes per second → MiB/s. */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / (1024 * 1024) / (ms / 1000);
}

/**
 * Runs each contender once per round, in turn, for `rounds` rounds, and returns each one's fastest
 * milliseconds. Interleaving keeps a noisy neighbour from favouring whoever ran during a quiet spell.
 * A first, uncounted round warms every contender up, so that no JavaScript contender's first,
 * not yet optimised call is among the few timed (the raw baseline is one native call).
 * `beforeEach` runs before each timed call, untimed.
 */
export async function race<K extends string>(
  rounds: number,
  contenders: Record<K, () => Promise<unknown> | unknown>,
  options: { beforeEach?: () => void } = {},
): Promise<Record<K, number>> {
  const best = {} as Record<K, number>;
  const keys = Object.keys(contenders) as K[];
  for (const key of keys) best[key] = Number.POSITIVE_INFINITY;
  for (const key of keys) await contenders[key]();
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) {
      options.beforeEach?.();
      const start = performance.now();
      await contenders[key]();
      best[key] = Math.min(best[key], performance.now() - start);
    }
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

/**
 * A full collection (the bench runs with --expose-gc), for runs whose results live in shared
 * memory: V8 does not count a SharedArrayBuffer's memory toward its collection heuristics, so
 * dropped 256 MiB results pile up (GiBs of RSS within a few runs) until something else triggers
 * a GC, and later runs then measure the machine's memory pressure instead of the library.
 */
export function collectSharedGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
