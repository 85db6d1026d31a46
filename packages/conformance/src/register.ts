import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import type { ConformanceCase } from './case.js';
import { conformanceCases } from './cases/index.js';
import type { ConformanceHarness } from './harness.js';
import {
  type CaseResult,
  type HarnessDeclaration,
  type ReportPaths,
  buildReport,
  writeReport,
} from './report.js';
import { runCase } from './run-case.js';

export interface ConformanceReportOptions extends ReportPaths {
  /** Writes `<dir>/<target>.json` and `<dir>/<target>.md` (target name made file-safe). */
  readonly dir?: string | undefined;
}

export interface RegisterOptions {
  readonly report?: ConformanceReportOptions | undefined;
  /**
   * Cases the author knows the adapter fails, by id, with the reason (ideally an issue link).
   * They are registered and reported as skips carrying `waived: <reason>`, never as passes.
   */
  readonly waive?: Readonly<Record<string, string>> | undefined;
  /** Runs these instead of every case (for the suite's own tests). */
  readonly cases?: readonly ConformanceCase[] | undefined;
}

/** The reason `testCase` cannot run against `harness`, or undefined when it can. */
export function skipReason(testCase: ConformanceCase, harness: ConformanceHarness): string | undefined {
  if (harness.unavailable) return `skipped: ${harness.unavailable}`;
  return testCase.needs?.(harness);
}

function fileSafe(name: string): string {
  return name
    .replace(/[^a-z0-9._-]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

const OPTIONAL_HOOKS = [
  'keyringForMissingKey',
  'keyringWithTimeout',
  'discoveryKeyring',
  'encryptOnlyKeyringForKeyA',
] as const;

/** The flags and hooks that decide which cases apply to `harness`. */
export function harnessDeclaration(harness: ConformanceHarness): HarnessDeclaration {
  const admin = harness.admin ?? {};
  return {
    remote: harness.remote,
    bindsContext: harness.bindsContext,
    versionPinned: harness.versionPinned !== undefined,
    hooks: [
      ...OPTIONAL_HOOKS.filter((name) => typeof harness[name] === 'function'),
      ...Object.entries(admin)
        .filter(([, value]) => typeof value === 'function')
        .map(([name]) => `admin.${name}`),
    ],
  };
}

/**
 * The failure as one report line: the error's name and the first non-empty line of its message.
 * A line that only announces what follows (`Expected values to be strictly equal:`) gets the
 * next line too, so the reason says something.
 */
export function failureLine(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  let text = lines[0] ?? '(no message)';
  if (text.endsWith(':') && lines[1] !== undefined) text = `${text} ${lines[1]}`;
  return `${name}: ${text}`.slice(0, 300);
}

/** The vitest title of a case: its id first, so a failure in the log names the case to look up. */
export function testTitle(testCase: ConformanceCase): string {
  return `${testCase.id}: ${testCase.title}`;
}

/**
 * Registers every conformance case as a vitest test under `describe('conformance: <name>')`,
 * grouped by topic. Cases the harness cannot run are registered as skipped tests whose title
 * carries the reason. After the last case, writes the report where `options.report` asks.
 */
export function registerConformanceSuite(harness: ConformanceHarness, options: RegisterOptions = {}): void {
  const cases = options.cases ?? conformanceCases;
  const skips = cases.map((c) => {
    const waived = options.waive?.[c.id];
    return skipReason(c, harness) ?? (waived === undefined ? undefined : `waived: ${waived}`);
  });
  const results: CaseResult[] = cases.map((c, i) =>
    skips[i] === undefined
      ? { id: c.id, title: c.title, verdict: 'not run' }
      : { id: c.id, title: c.title, verdict: 'skipped', reason: skips[i] },
  );
  const timeout = harness.caseTimeoutMs ?? 30_000;
  let setupError: unknown;
  const writeResults = () => {
    const dir = options.report?.dir;
    writeReport(buildReport(harness.name, harness.providerId, results, harnessDeclaration(harness)), {
      json: options.report?.json ?? (dir ? join(dir, `${fileSafe(harness.name)}.json`) : undefined),
      markdown: options.report?.markdown ?? (dir ? join(dir, `${fileSafe(harness.name)}.md`) : undefined),
    });
  };

  describe(`conformance: ${harness.name}`, () => {
    beforeAll(async () => {
      if (harness.unavailable) return;
      try {
        await harness.setup?.();
      } catch (error) {
        setupError = error;
        throw error;
      }
    }, 120_000);

    afterAll(async () => {
      try {
        if (!harness.unavailable) await harness.teardown?.();
      } finally {
        if (setupError !== undefined) {
          for (const r of results)
            if (r.verdict === 'not run') r.reason = `setup failed: ${failureLine(setupError)}`;
        }
        writeResults();
      }
    }, 120_000);

    // Cases undo their own faults and denials in `finally`, but a case that timed out never
    // reaches it; without this its fault would fail every case after it.
    afterEach(async () => {
      if (harness.unavailable) return;
      await harness.admin?.clearFaults?.();
      await harness.admin?.allow?.();
    });

    const groups = new Map<string, number[]>();
    cases.forEach((c, i) => {
      const group = c.id.split('/', 1)[0]!;
      groups.set(group, [...(groups.get(group) ?? []), i]);
    });
    for (const [group, indices] of groups) {
      describe(group, () => {
        for (const i of indices) {
          const testCase = cases[i]!;
          const result = results[i]!;
          const waived = options.waive?.[testCase.id];
          const reason =
            skipReason(testCase, harness) ?? (waived === undefined ? undefined : `waived: ${waived}`);
          if (reason !== undefined) {
            result.verdict = 'skipped';
            result.reason = reason;
            it.skip(`${testTitle(testCase)} [${reason}]`, () => {});
            continue;
          }
          it(
            testTitle(testCase),
            async () => {
              result.verdict = 'failed';
              result.reason = 'did not finish (timed out?)';
              try {
                await runCase(testCase, harness);
                result.verdict = 'passed';
                result.reason = undefined;
              } catch (error) {
                result.reason = failureLine(error);
                throw error;
              }
            },
            timeout,
          );
        }
      });
    }
  });
  // vitest runs no hooks for a suite whose tests are all skipped, so write that report now.
  if (results.every((r) => r.verdict === 'skipped')) writeResults();
}
