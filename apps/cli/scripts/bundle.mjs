/**
 * Bundles the `polykms` command with our packages (all but the emulator) and commander and
 * cli-progress into dist/bin.js (over tsc's) and chunks for what loads lazily. Why: a process that
 * loads ~100 ES modules one by one holds a module record, source and code for each; bundled, the
 * CLI starts ~10 MiB lower, most of the margin of a streamed encrypt's peak memory (#17). esbuild:
 * a well-kept bundler with no runtime part and no configuration beyond this file.
 *
 * A plug-in imports its own installed @polykms/envelope, a second copy beside the bundled one: its
 * errors are still recognised (isPolykmsError and instanceof check a Symbol.for brand, see
 * packages/envelope/src/errors.ts). Every @polykms package is bundled all the same, so that the
 * CLI's own packages share one copy. Other third-party packages (the cloud SDKs, gRPC, zod's
 * classic API, yaml) and the emulator stay external: they load only when a key URI, a policy file
 * or a command needs them.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * Bundled besides our own packages (all but the emulator, which needs its own files), by import
 * path. zod/mini (with zod's English messages), which @polykms/local's key-file schema uses, is
 * bundled so that only the functions it calls are kept (~40 KiB instead of ~700, ~10 MiB less
 * memory); zod's classic API (`zod`, the CLI's policy schema) stays external: bundled, it would
 * share one chunk with zod/mini and load whole with the first key file.
 */
const BUNDLED = new Set(['commander', 'cli-progress', 'zod/mini', 'zod/locales']);
const isBundled = (path) => {
  const name = path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0];
  return (
    (name.startsWith('@polykms/') && name !== '@polykms/emulator') || BUNDLED.has(name) || BUNDLED.has(path)
  );
};

/** Every package imported from our code that `isBundled` does not take stays external. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      if (args.importer.includes('/node_modules/')) return undefined;
      return isBundled(args.path) ? undefined : { path: args.path, external: true };
    });
  },
};

// Chunk names carry a hash: drop the previous build's.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: {
    bin: 'src/bin.ts',
    // FramePool starts its threads from `frame-worker.js` beside its own module: a shared chunk
    // today, bin.js itself if the chunks change. The worker is 2 KiB: it is put beside both.
    'chunks/frame-worker': '../../packages/envelope/src/workers/frame-worker.ts',
    'frame-worker': '../../packages/envelope/src/workers/frame-worker.ts',
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Code reached only by a dynamic import (the demo, which imports the emulator) goes in chunks of
  // its own: bundled in, its static import of an external package would load at start-up.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'node22',
  // Error classes name themselves from `new.target.name`, and cross-copy `instanceof` matches
  // class names: scope hoisting must not rename them (InvalidArgumentError2).
  keepNames: true,
  plugins: [externalPackages],
  // Bundled CommonJS dependencies (cli-progress) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __polykmsRequire } from 'node:module'; const require = __polykmsRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
