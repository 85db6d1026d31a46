import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

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
