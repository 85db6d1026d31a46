import { execFile } from 'node:child_process';
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
export async function packTarballs(dir: string): Promise<Map<string, Tarball>> {
  const { stdout } = await run(process.execPath, [join(root, 'scripts/pack.mjs'), dir], root);
  const tarballs = new Map<string, Tarball>();
  for (const path of stdout.trim().split('\n')) {
    const tarball = await openTarball(path);
    tarballs.set(tarball.manifest.name, tarball);
  }
  return tarballs;
}
