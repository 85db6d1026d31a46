import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

/**
 * Tests import workspace packages from their TypeScript sources, so a test run needs no build
 * of the packages it exercises (the CLI end-to-end tests are the exception: they run dist/).
 */
export function polykmsProject(name: string, overrides: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: {
      alias: [
        { find: /^@polykms\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
        // Subpath exports (`@polykms/conformance/vitest`) map to the source file of that name.
        { find: /^@polykms\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
      ],
    },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: 60_000,
    },
  });
}
