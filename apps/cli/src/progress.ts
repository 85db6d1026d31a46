import cliProgress from 'cli-progress';

interface Progress {
  increment(by?: number): void;
  stop(): void;
}

const quiet: Progress = { increment() {}, stop() {} };

/** A progress bar on stderr when it is a terminal; silent otherwise (logs, CI, pipes). */
export function createProgress(total: number, label: string, unit = 'files'): Progress {
  if (!process.stderr.isTTY || total === 0) return quiet;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    increment: (by = 1) => bar.increment(by),
    stop: () => bar.stop(),
  };
}
