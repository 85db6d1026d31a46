import { defineProject, mergeConfig } from 'vitest/config';
import { polykmsProject } from '../vitest.shared.js';

export default mergeConfig(
  polykmsProject('interop', { testTimeout: 60_000 }),
  defineProject({ test: { include: ['**/*.test.ts'] } }),
);
