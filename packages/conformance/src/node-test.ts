/** `@polykms/conformance/node-test`: the suite as `node:test` tests, with nothing to install. */
import { after, afterEach, before, describe, it } from 'node:test';
import type { ConformanceHarness } from './harness.js';
import type { ConformanceOptions } from './options.js';
import { type TestRunner, registerConformanceSuiteWith } from './register-with.js';

const nodeTestRunner: TestRunner = {
  describe: (name, body) => void describe(name, body),
  test: (name, body, timeout) => void it(name, { timeout }, body),
  skip: (name, reason) => void it(name, { skip: reason }, () => {}),
  beforeAll: (hook, timeout) => void before(hook, { timeout }),
  afterAll: (hook, timeout) => void after(hook, { timeout }),
  afterEach: (hook) => void afterEach(hook),
};

/** Registers every case as a `node:test` test; see registerConformanceSuiteWith. */
export function registerConformanceSuite(
  harness: ConformanceHarness,
  options: ConformanceOptions = {},
): void {
  registerConformanceSuiteWith(nodeTestRunner, harness, options);
}
