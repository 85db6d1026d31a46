import { describe, expect, it } from 'vitest';
import { PARALLEL_INPUT_BYTES, workerCount } from '../src/workers-flag.js';

describe('the default number of worker threads', () => {
  const large = PARALLEL_INPUT_BYTES;
  it('keeps a core for the calling thread: none on 2 cores, one per core but one from 3', () => {
    expect(workerCount(undefined, large, 1)).toBe(0);
    expect(workerCount(undefined, large, 2)).toBe(0);
    expect(workerCount(undefined, large, 3)).toBe(2);
    expect(workerCount(undefined, large, 16)).toBe(15);
  });

  it('uses none for small or unknown sizes (stdin), whatever the cores', () => {
    expect(workerCount(undefined, large - 1, 16)).toBe(0);
    expect(workerCount(undefined, undefined, 16)).toBe(0);
  });

  it('does what --workers says: auto is one per core, a count is that count', () => {
    expect(workerCount('auto', 10, 2)).toBe(2);
    expect(workerCount('3', undefined, 2)).toBe(3);
    expect(workerCount('0', large, 16)).toBe(0);
    expect(() => workerCount('many', large, 2)).toThrow(/--workers takes auto/);
  });
});
