import type { ConformanceHarness } from './harness.js';
import type { ConformanceOptions } from './options.js';
import type { ConformanceReport } from './report.js';
import { ConformanceSession, type PlannedCase } from './session.js';

/** Runs one case under the harness's per-case timeout; its verdict is recorded either way. */
async function runWithinTimeout(session: ConformanceSession, planned: PlannedCase): Promise<void> {
  const ms = session.caseTimeoutMs;
  const running = session.run(planned);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  try {
    const outcome = await Promise.race([running.then(() => 'done' as const), timedOut]);
    if (outcome === 'timed out') {
      running.catch(() => {}); // it may still fail later; the verdict stands
      planned.result.verdict = 'failed';
      planned.result.reason = `timed out after ${ms} ms`;
    }
  } catch {
    // session.run recorded the failure; the report carries it.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every conformance case against `harness`, one after another, with no test runner, and
 * returns the report (render it with reportToMarkdown, reportToJUnit or JSON.stringify, or name
 * files in `options.report`). A failing case is a verdict in the report, not a thrown error: the
 * caller decides what fails its build (`report.summary.failed > 0`).
 */
export async function runConformance(
  harness: ConformanceHarness,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const session = new ConformanceSession(harness, options);
  let setUp = true;
  try {
    await session.setup();
  } catch {
    setUp = false; // every case stays "not run"; teardown records why
  }
  try {
    for (const planned of setUp ? session.planned : []) {
      if (planned.skip !== undefined) continue;
      try {
        await runWithinTimeout(session, planned);
      } finally {
        await session.afterCase();
      }
    }
  } finally {
    try {
      await session.teardown();
    } finally {
      session.writeReport();
    }
  }
  return session.report();
}
