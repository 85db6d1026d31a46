import { writeFileSync } from 'node:fs';

/** One line of the results table. The texts are what the table shows; the JSON also has numbers. */
export interface Row {
  readonly what: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: string;
}

export const rows: Row[] = [];

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function row(
  what: string,
  ours: string,
  baseline: string,
  ratio: string,
  target = '',
  met = '',
): void {
  rows.push({ what, ours, baseline, ratio, target, met });
  log(`  ${what}: ${ours} | ${baseline} | ${ratio} ${met}`);
}

/** A target of the issue: the label shown, and the ratio (higher is better for polykms) it needs. */
export interface Target {
  readonly label: string;
  readonly min: number;
  readonly format: (ratio: number) => string;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
export function times(x: number): string {
  return `${x.toFixed(1)}×`;
}

export const SHARE_OF_RAW: Target = { label: '≥ 70%', min: 0.7, format: pct };
export const TEN_TIMES: Target = { label: '≥ 10×', min: 10, format: times };
export const TWENTY_TIMES: Target = { label: '≥ 20×', min: 20, format: times };
/** Issue 12: re-encrypting rewrap should cost about what decrypting and encrypting by hand does. */
export const CLOSE_TO: Target = { label: '≥ 90%', min: 0.9, format: pct };

/**
 * Issue 17: a small message's time at most 1.3× the time of the node:crypto calls it needs. The
 * ratio passed is our rate over the floor's (higher is better, like every target); it is shown
 * the other way up, as our time over the floor's.
 */
export const NEAR_FLOOR: Target = {
  label: '≤ 1.3× its time',
  min: 1 / 1.3,
  format: (ratio) => `${(1 / ratio).toFixed(2)}×`,
};

export function verdict(value: number, target: number): string {
  return value >= target ? 'yes' : 'NO';
}

/** A row judged against `target`, so that the label and the threshold come from one place. */
export function targetRow(what: string, ours: string, baseline: string, ratio: number, target: Target): void {
  row(what, ours, baseline, target.format(ratio), target.label, verdict(ratio, target.min));
}

/** "568 MiB/s" → 568 and "MiB/s"; text that does not start with a number → null. */
function measure(text: string): { value: number | null; unit: string } {
  const match = /^([\d.]+)\s*(\S*)/.exec(text.replace(/,/g, ''));
  return match ? { value: Number(match[1]), unit: match[2] ?? '' } : { value: null, unit: '' };
}

/** "84%" → 0.84, "2.0×" → 2; anything else → null. */
function ratioValue(text: string): number | null {
  const match = /^([\d.]+)\s*(%|×)$/.exec(text.trim());
  if (!match) return null;
  return match[2] === '%' ? Number(match[1]) / 100 : Number(match[1]);
}

/**
 * Every row as JSON (name, ours, baseline, ratio, unit; numbers where the cell is one, the
 * table's text beside them), for `--json FILE`.
 */
export function writeJson(file: string, machine: string, extra: Record<string, unknown>): void {
  const entries = rows.map((r) => {
    const ours = measure(r.ours);
    const baseline = measure(r.baseline);
    return {
      name: r.what,
      ours: ours.value,
      baseline: baseline.value,
      ratio: ratioValue(r.ratio),
      unit: ours.unit || baseline.unit,
      target: r.target,
      met: r.met,
      text: { ours: r.ours, baseline: r.baseline, ratio: r.ratio },
    };
  });
  writeFileSync(file, `${JSON.stringify({ machine, rows: entries, ...extra }, null, 2)}\n`);
}
