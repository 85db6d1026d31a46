import { fileURLToPath } from 'node:url';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import { createInMemoryKmsHarness } from './harness.js';

registerConformanceSuite(createInMemoryKmsHarness(), {
  report: { dir: fileURLToPath(new URL('../../../../.reports/conformance/', import.meta.url)) },
});
