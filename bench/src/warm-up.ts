/**
 * Runs `op` until it is steady (three timings in a row within 5% of each other) or `maxRuns` is
 * reached, so that a JavaScript contender (client-node) is timed at its optimised speed, not while
 * V8 is still compiling it. Returns how many runs it took.
 */
export async function warmUntilSteady(op: () => Promise<unknown>, maxRuns = 20): Promise<number> {
  const times: number[] = [];
  for (let run = 1; run <= maxRuns; run++) {
    const start = performance.now();
    await op();
    times.push(performance.now() - start);
    if (times.length >= 3) {
      const last = times.slice(-3);
      if (Math.max(...last) <= Math.min(...last) * 1.05) return run;
    }
  }
  return maxRuns;
}
