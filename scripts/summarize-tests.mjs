// Prints the one summary line of a test run, `N passed, N failed, N skipped`, counted from
// vitest's own JSON report.
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

// Each failed test once, and each test file that failed without a failed test (it did not load,
// or a hook failed) once more. Vitest's own suite count would also count every describe block
// around a failed test.
const filesFailedWithoutTest = report.testResults.filter(
  (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
).length;
const passed = report.numPassedTests;
const failed = report.numFailedTests + filesFailedWithoutTest;
const skipped = report.numPendingTests + report.numTodoTests;

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
