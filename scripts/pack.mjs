// Packs every public (non-private) workspace package into DIR (default .packs/) and prints the
// tarball paths, one a line. `pnpm pack` resolves `workspace:` ranges to the versions in the
// repository; the root LICENSE is copied into each package for the duration of its pack, since
// npm and pnpm put a package's own LICENSE file into its tarball and each package ships the same one.
// A new package is covered by being public: nothing here names a package.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = resolve(process.argv[2] ?? join(root, '.packs'));
mkdirSync(outDir, { recursive: true });

const workspace = JSON.parse(
  execFileSync('pnpm', ['ls', '--recursive', '--depth', '-1', '--json'], { cwd: root, encoding: 'utf8' }),
);
const publicPackages = workspace.filter((p) => !p.private).sort((a, b) => a.name.localeCompare(b.name));

for (const pkg of publicPackages) {
  const license = join(pkg.path, 'LICENSE');
  const copied = !existsSync(license);
  if (copied) copyFileSync(join(root, 'LICENSE'), license);
  try {
    execFileSync('pnpm', ['pack', '--pack-destination', outDir], {
      cwd: pkg.path,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } finally {
    if (copied) rmSync(license);
  }
  const file = `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
  console.log(join(outDir, file));
}
