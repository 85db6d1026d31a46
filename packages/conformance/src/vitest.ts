/**
 * `@polykms/conformance/vitest`: the suite as vitest tests. The only module of the package that
 * imports vitest, which is an optional peer dependency for that reason.
 */
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import type { ConformanceHarness } from './harness.js';
import type { ConformanceOptions } from './options.js';
import { jestStyleRunner, registerConformanceSuiteWith } from './register-with.js';

const vitestRunner = jestStyleRunner({ describe, it, beforeAll, afterAll, afterEach });

/** Registers every case as a vitest test; see registerConformanceSuiteWith. */
export function registerConformanceSuite(
  harness: ConformanceHarness,
  options: ConformanceOptions = {},
): void {
  registerConformanceSuiteWith(vitestRunner, harness, options);
}
