// The polykms keyring conformance suite under node:test (`npm test`), with a JUnit report.
import { registerConformanceSuite } from '@polykms/conformance/node-test';
import { createFileVaultHarness } from './harness.js';

registerConformanceSuite(createFileVaultHarness(), { report: { junit: 'conformance.xml' } });
