import { join } from 'node:path';
import type { ConformanceCase } from './case.js';
import { conformanceCases } from './cases/index.js';
import type { ConformanceHarness } from './harness.js';
import type { ConformanceOptions } from './options.js';
import {
  type CaseResult,
  type ConformanceReport,
  type HarnessDeclaration,
  buildReport,
  writeReport,
} from './report.js';
import { runCase } from './run-case.js';

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
  'secrets',
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

/** The test title of a case: its id first, so a failure in the log names the case to look up. */
export function testTitle(testCase: ConformanceCase): string {
  return `${testCase.id}: ${testCase.title}`;
}

export interface PlannedCase {
  readonly testCase: ConformanceCase;
  /** The group, the id's prefix (`isolation` of `isolation/key-b-ignores-key-a`). */
  readonly group: string;
  /** Why it will not run (not applicable, missing hook, waived, unavailable), or undefined. */
  readonly skip: string | undefined;
  readonly result: CaseResult;
}

const DEFAULT_CASE_TIMEOUT_MS = 30_000;
export const SETUP_TIMEOUT_MS = 120_000;

/**
 * One run of the suite against one harness, whatever drives it (runConformance or a test runner's
 * tests): which cases run, the harness's setup and teardown, the clean-up after every case, and
 * the verdicts that make the report.
 */
export class ConformanceSession {
  readonly planned: readonly PlannedCase[];
  readonly caseTimeoutMs: number;
  #setupError: unknown;

  constructor(
    readonly harness: ConformanceHarness,
    private readonly options: ConformanceOptions = {},
  ) {
    this.caseTimeoutMs = harness.caseTimeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
    this.planned = (options.cases ?? conformanceCases).map((testCase) => {
      const waived = options.waive?.[testCase.id];
      const skip = skipReason(testCase, harness) ?? (waived === undefined ? undefined : `waived: ${waived}`);
      const result: CaseResult =
        skip === undefined
          ? { id: testCase.id, title: testCase.title, verdict: 'not run' }
          : { id: testCase.id, title: testCase.title, verdict: 'skipped', reason: skip };
      return { testCase, group: testCase.id.split('/', 1)[0]!, skip, result };
    });
  }

  get allSkipped(): boolean {
    return this.planned.every((p) => p.skip !== undefined);
  }

  async setup(): Promise<void> {
    if (this.harness.unavailable) return;
    try {
      await this.harness.setup?.();
    } catch (error) {
      this.#setupError = error;
      throw error;
    }
  }

  /** Runs one planned case and records its verdict; rethrows its failure for the runner to show. */
  async run(planned: PlannedCase): Promise<void> {
    const { result } = planned;
    result.verdict = 'failed';
    result.reason = 'did not finish (timed out?)';
    try {
      await runCase(planned.testCase, this.harness);
      result.verdict = 'passed';
      result.reason = undefined;
    } catch (error) {
      result.reason = failureLine(error);
      throw error;
    }
  }

  /**
   * Cases undo their own faults and denials in `finally`, but a case that timed out never reaches
   * it; without this its fault would fail every case after it.
   */
  async afterCase(): Promise<void> {
    if (this.harness.unavailable) return;
    await this.harness.admin?.clearFaults?.();
    await this.harness.admin?.allow?.();
  }

  async teardown(): Promise<void> {
    try {
      if (!this.harness.unavailable) await this.harness.teardown?.();
    } finally {
      if (this.#setupError !== undefined) {
        for (const p of this.planned)
          if (p.result.verdict === 'not run')
            p.result.reason = `setup failed: ${failureLine(this.#setupError)}`;
      }
    }
  }

  report(): ConformanceReport {
    const { harness } = this;
    return buildReport(
      harness.name,
      harness.providerId,
      this.planned.map((p) => ({ ...p.result })),
      harnessDeclaration(harness),
    );
  }

  /** Writes the report where `options.report` asks; nothing without it. */
  writeReport(): void {
    const paths = this.options.report;
    if (paths === undefined) return;
    const at = (extension: string) =>
      paths.dir ? join(paths.dir, `${fileSafe(this.harness.name)}.${extension}`) : undefined;
    writeReport(this.report(), {
      json: paths.json ?? at('json'),
      markdown: paths.markdown ?? at('md'),
      junit: paths.junit ?? at('xml'),
    });
  }
}
