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

/** Makes text safe inside an XML attribute or element: escapes markup, drops characters XML forbids. */
function xml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these, so they are replaced
  const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
  return text
    .replace(forbidden, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * The report as JUnit XML, which CI systems (GitHub Actions reporters, GitLab, Jenkins) display:
 * one testcase per case, a failure carrying the report's one-line reason, skips with theirs, and
 * cases that never ran (failed setup) as errors.
 */
export function reportToJUnit(report: ConformanceReport): string {
  const { summary } = report;
  const suite = `conformance: ${report.target}`;
  const testcases = report.cases.map((c) => {
    const group = c.id.split('/', 1)[0]!;
    const open = `    <testcase classname="${xml(`${suite}.${group}`)}" name="${xml(`${c.id}: ${c.title}`)}"`;
    const reason = xml(c.reason ?? '');
    const outcome: Record<Verdict, string> = {
      passed: '',
      failed: `<failure message="${reason}"/>`,
      skipped: `<skipped message="${reason}"/>`,
      'not run': `<error message="not run: ${reason}"/>`,
    };
    const inner = outcome[c.verdict];
    return inner ? `${open}>\n      ${inner}\n    </testcase>` : `${open}/>`;
  });
  const counts = `tests="${report.cases.length}" failures="${summary.failed}" errors="${summary['not run']}" skipped="${summary.skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="polykms conformance" ${counts}>`,
    `  <testsuite name="${xml(suite)}" ${counts} timestamp="${xml(report.generatedAt)}">`,
    ...testcases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export interface ReportPaths {
  readonly markdown?: string | undefined;
  readonly json?: string | undefined;
  readonly junit?: string | undefined;
}

export function writeReport(report: ConformanceReport, paths: ReportPaths): void {
  const outputs: [path: string | undefined, render: (r: ConformanceReport) => string][] = [
    [paths.json, (r) => `${JSON.stringify(r, null, 2)}\n`],
    [paths.markdown, reportToMarkdown],
    [paths.junit, reportToJUnit],
  ];
  for (const [path, render] of outputs) {
    if (path === undefined) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, render(report));
  }
}
