import { mergeConfig } from 'vitest/config';
import { polykmsProject } from '../../vitest.shared.js';

// The worked example under examples/ runs the suite too, exactly as an adapter author would.
export default mergeConfig(polykmsProject('@polykms/conformance'), {
  test: { include: ['test/**/*.test.ts', 'examples/**/*.test.ts'] },
});
