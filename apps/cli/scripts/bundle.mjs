/**
 * Bundles the `polykms` command into one file, dist/bin.js (over tsc's), and the frame worker
 * beside it. Why: a process that loads ~70 ES modules one by one starts at ~65 MiB RSS; one file
 * starts smaller and sooner, which is most of a streamed encrypt's peak memory (#17). esbuild is
 * a well-kept bundler with no runtime part. (`dist/bin.js` is then all that a command that uses
 * local keys or the cloud keyrings loads, besides the SDKs; the demo is in a chunk of its own.) The cloud SDKs, their keyring packages and the
 * emulator stay external: they are imported only when a key URI or command needs them.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const external = [
  '@aws-sdk/*',
  '@google-cloud/*',
  '@grpc/*',
  '@azure/*',
  '@polykms/aws-kms',
  '@polykms/gcp-kms',
  '@polykms/azure-keyvault',
  '@polykms/emulator',
];

// Chunk names carry a hash: drop the previous build's.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: {
    bin: 'src/bin.ts',
    // FramePool starts its threads from `frame-worker.js` beside the module that holds it: bin.js,
    // or the chunk it shares with the demo. The worker is 2 KiB: it is put beside both.
    'frame-worker': '../../packages/envelope/dist/workers/frame-worker.js',
    'chunks/frame-worker': '../../packages/envelope/dist/workers/frame-worker.js',
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
  external,
  // Bundled CommonJS dependencies (cli-progress) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __polykmsRequire } from 'node:module'; const require = __polykmsRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
