import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inPlaceTarget } from '../src/io/in-place.js';

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'polykms-in-place-'));
  await mkdir(join(base, 'tree', 'd'), { recursive: true });
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'tree', 'd', 'm.pkms'), 'm');
  await writeFile(join(base, 'outside', 'm.pkms'), 'o');
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('inPlaceTarget within a directory (migrate)', () => {
  const tree = () => join(base, 'tree');

  it('accepts a regular file inside it', async () => {
    const target = await inPlaceTarget(join(tree(), 'd', 'm.pkms'), { within: tree() });
    expect(target.path).toBe(join(tree(), 'd', 'm.pkms'));
  });

  it('refuses a file swapped for a symbolic link, even to a file outside', async () => {
    await symlink(join(base, 'outside', 'm.pkms'), join(tree(), 'link.pkms'));
    await expect(inPlaceTarget(join(tree(), 'link.pkms'), { within: tree() })).rejects.toThrow(
      /not a file inside/,
    );
  });

  it('refuses a file reached through a folder swapped for a link to outside', async () => {
    await symlink(join(base, 'outside'), join(tree(), 'e'));
    await expect(inPlaceTarget(join(tree(), 'e', 'm.pkms'), { within: tree() })).rejects.toThrow(
      /not a file inside/,
    );
  });

  it('without `within`, rewrites a symbolic link target (rewrap in place)', async () => {
    await symlink(join(base, 'outside', 'm.pkms'), join(tree(), 'link.pkms'));
    const target = await inPlaceTarget(join(tree(), 'link.pkms'));
    expect(target.path).toBe(join(base, 'outside', 'm.pkms'));
  });
});
