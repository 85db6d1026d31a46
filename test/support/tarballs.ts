import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { run } from './scratch-project.js';

const exec = promisify(execFile);

export interface Tarball {
  readonly path: string;
  readonly files: readonly string[];
  readonly manifest: {
    readonly name: string;
    readonly version: string;
    readonly private?: boolean;
    readonly [field: string]: unknown;
  };
  /** A file of the tarball as text (path relative to the package root). */
  read(file: string): Promise<string>;
}

/** Reads a packed tarball (npm layout: everything under `package/`) with the system tar. */
export async function openTarball(path: string): Promise<Tarball> {
  const read = async (file: string) =>
    (await exec('tar', ['-xzOf', path, `package/${file}`], { maxBuffer: 64 << 20 })).stdout;
  const listing = (await exec('tar', ['-tzf', path], { maxBuffer: 16 << 20 })).stdout;
  const files = listing
    .split('\n')
    .filter((line) => line.startsWith('package/'))
    .map((line) => line.slice('package/'.length));
  return { path, files, manifest: JSON.parse(await read('package.json')), read };
}

/** The @polykms packages (and the CLI) that `name` needs, itself included, from the packed manifests. */
export function withPolykmsDependencies(name: string, all: ReadonlyMap<string, Tarball>): Tarball[] {
  const needed = new Map<string, Tarball>();
  const visit = (n: string) => {
    const tarball = all.get(n);
    if (tarball === undefined || needed.has(n)) return;
    needed.set(n, tarball);
    const deps = (tarball.manifest['dependencies'] ?? {}) as Record<string, string>;
    for (const dep of Object.keys(deps)) visit(dep);
  };
  visit(name);
  return [...needed.values()];
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `./run pack DIR` as the user runs it (scripts/pack.mjs, from the built dist/): every public
 * package's tarball, by package name. Build first (`ensureCliBuilt` builds them all).
 */
async function packInto(dir: string): Promise<Map<string, Tarball>> {
  const { stdout } = await run(process.execPath, [join(root, 'scripts/pack.mjs'), dir], root);
  const tarballs = new Map<string, Tarball>();
  for (const path of stdout.trim().split('\n')) {
    const tarball = await openTarball(path);
    tarballs.set(tarball.manifest.name, tarball);
  }
  return tarballs;
}

/** Where the test run's tarballs live: .packs/ is ignored by git, and the default of ./run pack. */
const SHARED_DIR = join(root, '.packs/tests');
const LOCK = join(root, '.packs/tests.lock');
/** A lock older than this was left by a run that died while packing. */
const STALE_LOCK_MS = 5 * 60_000;

/** What a tarball is made of: each public package's package.json, README, dist/, and the pack script. */
async function newestPackInput(): Promise<number> {
  let newest = (await stat(join(root, 'scripts/pack.mjs'))).mtimeMs;
  for (const parent of ['packages', 'apps']) {
    for (const name of await readdir(join(root, parent))) {
      const dir = join(root, parent, name);
      for (const file of ['package.json', 'README.md']) {
        newest = Math.max(
          newest,
          await stat(join(dir, file)).then(
            (s) => s.mtimeMs,
            () => 0,
          ),
        );
      }
      const dist = await readdir(join(dir, 'dist'), { withFileTypes: true, recursive: true }).catch(() => []);
      for (const entry of dist) {
        if (entry.isFile())
          newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
      }
    }
  }
  return newest;
}

let shared: Promise<Map<string, Tarball>> | undefined;

/**
 * The tarballs of the current build, packed once for all the test files that install them (and
 * reused by later runs while no input changed). Test files run in parallel workers, and packing
 * copies LICENSE into the packages for its duration, so packs never run concurrently: one worker
 * packs under a lock, the others wait and read its result. Treat the files as read-only.
 */
export function packedTarballs(): Promise<Map<string, Tarball>> {
  shared ??= (async () => {
    await mkdir(join(root, '.packs'), { recursive: true });
    for (;;) {
      try {
        await mkdir(LOCK);
        break;
      } catch {
        const since = await stat(LOCK).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (since > STALE_LOCK_MS) await rmdir(LOCK).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    try {
      const stamp = join(SHARED_DIR, '.complete');
      const packedAt = await stat(stamp).then(
        (s) => s.mtimeMs,
        () => 0,
      );
      if (packedAt > (await newestPackInput())) {
        const tarballs = new Map<string, Tarball>();
        for (const path of (await readFile(stamp, 'utf8')).trim().split('\n')) {
          const tarball = await openTarball(path);
          tarballs.set(tarball.manifest.name, tarball);
        }
        return tarballs;
      }
      await rm(SHARED_DIR, { recursive: true, force: true });
      const tarballs = await packInto(SHARED_DIR);
      await writeFile(stamp, [...tarballs.values()].map((t) => t.path).join('\n'));
      return tarballs;
    } finally {
      await rmdir(LOCK).catch(() => {});
    }
  })();
  return shared;
}
