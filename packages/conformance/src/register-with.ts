import type { ConformanceHarness } from './harness.js';
import type { ConformanceOptions } from './options.js';
import { ConformanceSession, type PlannedCase, SETUP_TIMEOUT_MS, testTitle } from './session.js';

type MaybePromise<T> = T | Promise<T>;

/** The five things the suite needs from a test runner; the bindings adapt vitest, node:test and jest. */
export interface TestRunner {
  describe(name: string, body: () => void): void;
  test(name: string, body: () => Promise<void>, timeoutMs: number): void;
  /** A test that is reported as skipped; `reason` is also at the end of `name`. */
  skip(name: string, reason: string): void;
  beforeAll(hook: () => Promise<void>, timeoutMs: number): void;
  afterAll(hook: () => Promise<void>, timeoutMs: number): void;
  afterEach(hook: () => Promise<void>): void;
}

/** The globals of vitest and jest, as far as the suite uses them. */
export interface JestStyleGlobals {
  describe(name: string, body: () => void): unknown;
  it: {
    (name: string, body: () => MaybePromise<void>, timeout?: number): unknown;
    skip(name: string, body: () => void): unknown;
  };
  beforeAll(hook: () => Promise<void>, timeout?: number): unknown;
  afterAll(hook: () => Promise<void>, timeout?: number): unknown;
  afterEach(hook: () => Promise<void>): unknown;
}

/** A TestRunner over vitest's or jest's `describe`, `it`, `beforeAll`, `afterAll` and `afterEach`. */
export function jestStyleRunner(globals: JestStyleGlobals): TestRunner {
  return {
    describe: (name, body) => void globals.describe(name, body),
    test: (name, body, timeoutMs) => void globals.it(name, body, timeoutMs),
    skip: (name) => void globals.it.skip(name, () => {}),
    beforeAll: (hook, timeoutMs) => void globals.beforeAll(hook, timeoutMs),
    afterAll: (hook, timeoutMs) => void globals.afterAll(hook, timeoutMs),
    afterEach: (hook) => void globals.afterEach(hook),
  };
}

/**
 * Registers every conformance case as a test of `runner` under `describe('conformance: <name>')`,
 * grouped by topic. Cases the harness cannot run are registered as skipped tests whose title
 * carries the reason. After the last case, writes the report where `options.report` asks.
 */
export function registerConformanceSuiteWith(
  runner: TestRunner,
  harness: ConformanceHarness,
  options: ConformanceOptions = {},
): void {
  const session = new ConformanceSession(harness, options);
  runner.describe(`conformance: ${harness.name}`, () => {
    runner.beforeAll(() => session.setup(), SETUP_TIMEOUT_MS);
    runner.afterAll(async () => {
      try {
        await session.teardown();
      } finally {
        session.writeReport();
      }
    }, SETUP_TIMEOUT_MS);
    runner.afterEach(() => session.afterCase());

    const groups = new Map<string, PlannedCase[]>();
    for (const p of session.planned) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
    for (const [group, planned] of groups) {
      runner.describe(group, () => {
        for (const p of planned) {
          const title = testTitle(p.testCase);
          if (p.skip !== undefined) runner.skip(`${title} [${p.skip}]`, p.skip);
          else runner.test(title, () => session.run(p), session.caseTimeoutMs);
        }
      });
    }
  });
  // vitest runs no hooks for a suite whose tests are all skipped, so write that report now.
  if (session.allSkipped) session.writeReport();
}
