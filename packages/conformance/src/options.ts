import type { ConformanceCase } from './case.js';
import type { ReportPaths } from './report.js';

export interface ConformanceReportOptions extends ReportPaths {
  /** Writes `<dir>/<target>.json`, `.md` and `.xml` (JUnit); the target name made file-safe. */
  readonly dir?: string | undefined;
}

/** What every way of running the suite accepts: runConformance and each test-runner binding. */
export interface ConformanceOptions {
  readonly report?: ConformanceReportOptions | undefined;
  /**
   * Cases the author knows the adapter fails, by id, with the reason (ideally an issue link).
   * They are reported as skips carrying `waived: <reason>`, never as passes.
   */
  readonly waive?: Readonly<Record<string, string>> | undefined;
  /** Runs these instead of every case (for the suite's own tests). */
  readonly cases?: readonly ConformanceCase[] | undefined;
}

/** The name the test-runner bindings have always taken their options by. */
export type RegisterOptions = ConformanceOptions;
