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

export interface ConformanceReport {
  readonly target: string;
  readonly providerId: string;
  readonly generatedAt: string;
  readonly summary: Record<Verdict, number>;
  readonly cases: readonly CaseResult[];
}

export function buildReport(
  target: string,
  providerId: string,
  cases: readonly CaseResult[],
): ConformanceReport {
  const summary: Record<Verdict, number> = { passed: 0, failed: 0, skipped: 0, 'not run': 0 };
  for (const c of cases) summary[c.verdict] += 1;
  return { target, providerId, generatedAt: new Date().toISOString(), summary, cases };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

export function reportToMarkdown(report: ConformanceReport): string {
  const { summary } = report;
  const lines = [
    `# Conformance: ${report.target}`,
    '',
    `Provider id \`${report.providerId}\` · ${summary.passed} passed, ${summary.failed} failed, ` +
      `${summary.skipped} skipped, ${summary['not run']} not run · ${report.generatedAt}`,
    '',
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
