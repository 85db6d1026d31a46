// Prints the one summary line of a test run from vitest's JSON report, plus every skipped test
// with the reason its test gave (vitest keeps the reason in the test's title or annotations).
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  console.error(`no test report at ${reportPath}: ${error.message}`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

const passed = report.numPassedTests;
const failed = report.numFailedTests + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
const skipped = report.numPendingTests + report.numTodoTests;

function countSuitesWithFailedTests(r) {
  return r.testResults.filter(
    (s) => s.status === 'failed' && s.assertionResults.some((a) => a.status === 'failed'),
  ).length;
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
