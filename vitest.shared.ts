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
        // Entry points that are folders (`@polykms/envelope/driver`) resolve to src/<name>/index.ts,
        // single-file ones (`@polykms/conformance/vitest`) to src/<name>.ts.
        {
          find: /^@polykms\/([a-z0-9-]+)\/(driver|scheme)$/,
          replacement: `${packagesDir}$1/src/$2/index.ts`,
        },
        { find: /^@polykms\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
        { find: /^@polykms\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
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
