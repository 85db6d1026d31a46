export type {
  ConformanceAdmin,
  ConformanceHarness,
  FaultKind,
  FaultOptions,
  KeyName,
  KmsOperation,
} from './harness.js';
export type { ConformanceCase } from './case.js';
export { conformanceCases } from './cases/index.js';
export {
  type ConformanceReportOptions,
  type RegisterOptions,
  failureLine,
  harnessDeclaration,
  registerConformanceSuite,
  skipReason,
  testTitle,
} from './register.js';
export {
  type CaseResult,
  type ConformanceReport,
  type HarnessDeclaration,
  type SkipKind,
  type Verdict,
  buildReport,
  reportToMarkdown,
} from './report.js';
export { findSecrets, errorTexts, eventText } from './secret-scan.js';
export { type EmulatorAdminOptions, type EmulatorControlPlane, emulatorAdmin } from './emulator-admin.js';
