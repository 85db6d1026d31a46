import { spawnSync } from 'node:child_process';

/**
 * `openssl speed -evp aes-256-gcm` at 64 KiB blocks, in MiB/s: the physical limit of AES-GCM on
 * this machine, on one core or (with `processes`) on several at once. Undefined when `openssl`
 * is not installed or its output is not understood.
 */
export function opensslSpeed(seconds: number, processes?: number): number | undefined {
  const args = ['speed', '-evp', 'aes-256-gcm', '-bytes', '65536', '-seconds', String(seconds)];
  if (processes !== undefined && processes > 1) args.push('-multi', String(processes));
  const run = spawnSync('openssl', args, { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  if (run.error || run.status !== 0) return undefined;
  // The last result line: "AES-256-GCM    4269306.31k" (thousands of bytes per second).
  const line = run.stdout
    .split('\n')
    .reverse()
    .find((l) => /^aes-256-gcm\s+[\d.]+k/i.test(l.trim()));
  const thousands = line ? Number(/([\d.]+)k/.exec(line)![1]) : Number.NaN;
  return Number.isFinite(thousands) ? (thousands * 1000) / (1024 * 1024) : undefined;
}
