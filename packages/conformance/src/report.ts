import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Verdict = 'passed' | 'failed' | 'skipped' | 'not run';

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  verdict: Verdict;
  /** Why it was skipped, or the first line of the failure. */
  reason?: string | undefined;
}

/**
 * Why a case was skipped: the harness declared it does not apply (`remote: false`,
 * `bindsContext: false`, no `versionPinned`), lacks a hook the case needs, the author waived
 * it, or the whole target was unavailable.
 */
export type SkipKind = 'not applicable' | 'missing hook' | 'waived' | 'unavailable';

export function skipKind(reason: string | undefined): SkipKind {
  if (reason?.startsWith('not applicable')) return 'not applicable';
  if (reason?.startsWith('waived')) return 'waived';
  if (reason?.startsWith('skipped')) return 'unavailable';
  return 'missing hook';
}

/** What the harness declared: these flags decide which cases apply, so the report shows them. */
export interface HarnessDeclaration {
  readonly remote: boolean;
  readonly bindsContext: boolean;
  readonly versionPinned: boolean;
  /** The optional hooks it provides, e.g. `discoveryKeyring`, `admin.callCount`. */
  readonly hooks: readonly string[];
}

export interface ConformanceReport {
  readonly target: string;
  readonly providerId: string;
  readonly generatedAt: string;
  readonly harness?: HarnessDeclaration | undefined;
  readonly summary: Record<Verdict, number>;
  /** The skipped cases counted by why they were skipped. */
  readonly skips: Record<SkipKind, number>;
  readonly cases: readonly CaseResult[];
}

export function buildReport(
  target: string,
  providerId: string,
  cases: readonly CaseResult[],
  harness?: HarnessDeclaration,
): ConformanceReport {
  const summary: Record<Verdict, number> = { passed: 0, failed: 0, skipped: 0, 'not run': 0 };
  const skips: Record<SkipKind, number> = {
    'not applicable': 0,
    'missing hook': 0,
    waived: 0,
    unavailable: 0,
  };
  for (const c of cases) {
    summary[c.verdict] += 1;
    if (c.verdict === 'skipped') skips[skipKind(c.reason)] += 1;
  }
  return { target, providerId, generatedAt: new Date().toISOString(), harness, summary, skips, cases };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

export function reportToMarkdown(report: ConformanceReport): string {
  const { summary, skips, harness } = report;
  const skipped = Object.entries(skips)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const lines = [
    `# Conformance: ${report.target}`,
    '',
    `Provider id \`${report.providerId}\` · ${summary.passed} passed, ${summary.failed} failed, ` +
      `${summary.skipped} skipped${skipped.length ? ` (${skipped.join(', ')})` : ''}, ` +
      `${summary['not run']} not run · ${report.generatedAt}`,
    '',
    ...(harness
      ? [
          `Harness declares: \`remote: ${harness.remote}\`, \`bindsContext: ${harness.bindsContext}\`, ` +
            `\`versionPinned: ${harness.versionPinned}\`; hooks: ${
              harness.hooks.length ? harness.hooks.map((h) => `\`${h}\``).join(', ') : 'none'
            }`,
          '',
        ]
      : []),
    '| Case | Verdict | Reason |',
    '| --- | --- | --- |',
    ...report.cases.map((c) => `| \`${c.id}\` ${cell(c.title)} | ${c.verdict} | ${cell(c.reason ?? '')} |`),
    '',
  ];
  return lines.join('\n');
}

export interface ReportPaths {
  readonly markdown?: string | undefined;
  readonly json?: string | undefined;
}

export function writeReport(report: ConformanceReport, paths: ReportPaths): void {
  if (paths.json) {
    mkdirSync(dirname(paths.json), { recursive: true });
    writeFileSync(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  if (paths.markdown) {
    mkdirSync(dirname(paths.markdown), { recursive: true });
    writeFileSync(paths.markdown, reportToMarkdown(report));
  }
}
