import { formatBytes, formatDuration, formatRate } from './human-units.js';
import { Throughput } from './throughput.js';

export interface TreeProgress {
  /** One more file done (or failed), of `bytes` bytes. */
  fileDone(bytes: number): void;
  /** Clears the line, so that what is printed next starts on a clean one. */
  stop(): void;
}

const quiet: TreeProgress = { fileDone() {}, stop() {} };

/** The progress line's text: `migrating 120/1,000 files · 2.1 MiB/s · 14.2 files/s · 1m 2s left`. */
export function progressLine(label: string, total: number, throughput: Throughput): string {
  const count = new Intl.NumberFormat('en-US');
  const eta = throughput.etaSeconds(total - throughput.files);
  return (
    `${label} ${count.format(throughput.files)}/${count.format(total)} files · ` +
    `${formatBytes(throughput.bytesPerSecond())}/s · ${formatRate(throughput.filesPerSecond(), 'files')} · ` +
    `${eta === undefined ? 'estimating' : `${formatDuration(eta)} left`}`
  );
}

/**
 * One status line on stderr, redrawn at most a few times a second, when stderr is a terminal;
 * nothing otherwise, so that logs and CI transcripts hold only the summary.
 */
export function createTreeProgress(
  total: number,
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): TreeProgress {
  if (!stream.isTTY || total === 0) return quiet;
  const throughput = new Throughput();
  let lastDraw = 0;
  let drawn = false;
  const draw = () => {
    const width = Math.max(20, (stream.columns || 80) - 1); // 0 when the terminal reports no size
    stream.write(`\r\x1b[2K${progressLine(label, total, throughput).slice(0, width)}`);
    drawn = true;
  };
  return {
    fileDone(bytes) {
      throughput.add(bytes);
      const now = performance.now();
      if (now - lastDraw >= 200 || throughput.files === total) {
        lastDraw = now;
        draw();
      }
    },
    stop() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
