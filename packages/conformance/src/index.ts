/**
 * The conformance suite, runner-free: this entry point imports no test runner. Bindings live at
 * `@polykms/conformance/vitest` and `@polykms/conformance/node-test`; `registerConformanceSuiteWith`
 * adapts any other runner (jest: `jestStyleRunner`).
 */
export type {
  ConformanceAdmin,
  ConformanceHarness,
  FaultKind,
  FaultOptions,
  HarnessSecret,
  KeyName,
  KmsOperation,
} from './harness.js';
export type { ConformanceCase } from './case.js';
export { conformanceCases } from './cases/index.js';
export { runCase } from './run-case.js';
export { runConformance } from './run-conformance.js';
export type { ConformanceOptions, ConformanceReportOptions, RegisterOptions } from './options.js';
export {
  type JestStyleGlobals,
  type TestRunner,
  jestStyleRunner,
  registerConformanceSuiteWith,
} from './register-with.js';
export { failureLine, harnessDeclaration, skipReason, testTitle } from './session.js';
export {
  type CaseResult,
  type ConformanceReport,
  type HarnessDeclaration,
  type ReportPaths,
  type SkipKind,
  type Verdict,
  buildReport,
  reportToJUnit,
  reportToMarkdown,
  writeReport,
} from './report.js';
export { SECRET_WINDOW_BYTES, findSecrets, errorTexts, eventText } from './secret-scan.js';
export { type EmulatorAdminOptions, type EmulatorControlPlane, emulatorAdmin } from './emulator-admin.js';
