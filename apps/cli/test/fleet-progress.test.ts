import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate } from '../src/fleet/human-units.js';
import { Throughput } from '../src/fleet/throughput.js';
import { progressLine } from '../src/fleet/tree-progress.js';

describe('human units', () => {
  it('shows sizes in binary units with three significant digits', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(15 * 1024 * 1024)).toBe('15.0 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });

  it('shows durations as seconds, minutes or hours', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 5s');
    expect(formatDuration(3725)).toBe('1h 2m');
    expect(formatRate(12.34, 'files')).toBe('12.3 files/s');
  });
});

describe('throughput', () => {
  it('smooths the rate: one slow stretch moves the ETA a little, not to the slow rate', () => {
    let now = 0;
    const t = new Throughput({ now: () => now, halfLifeMs: 10_000 });
    // 10 files a second for 20 seconds.
    for (let i = 0; i < 200; i++) {
      now += 100;
      t.add(1024);
    }
    expect(t.filesPerSecond()).toBeCloseTo(10, 0);
    // One file that took 5 seconds.
    now += 5000;
    t.add(1024);
    expect(t.filesPerSecond()).toBeGreaterThan(5);
    expect(t.filesPerSecond()).toBeLessThan(10);
    expect(t.etaSeconds(100)).toBeGreaterThan(10);
    expect(t.etaSeconds(100)).toBeLessThan(20);
  });

  it('has no ETA before the first file is done', () => {
    const t = new Throughput({ now: () => 0 });
    expect(t.etaSeconds(10)).toBeUndefined();
  });

  it('puts counts, throughput and ETA on one line', () => {
    let now = 0;
    const t = new Throughput({ now: () => now });
    for (let i = 0; i < 20; i++) {
      now += 500;
      t.add(1024 * 1024);
    }
    expect(progressLine('migrating', 1020, t)).toBe(
      'migrating 20/1,020 files · 2.00 MiB/s · 2.0 files/s · 8m 20s left',
    );
  });
});
