import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicOutput, writeFileAtomic } from '../src/io/atomic-output.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(output: AtomicOutput, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => output.stream.write(text, (e) => (e ? reject(e) : resolve())));
}

describe('AtomicOutput', () => {
  it('without overwrite, keeps a file that appeared at the path while the output was written', async () => {
    const path = join(dir, 'out.txt');
    const output = await AtomicOutput.create(path, { overwrite: false });
    await write(output, 'ours');
    await writeFile(path, 'theirs');
    await expect(output.commit()).rejects.toMatchObject({ message: expect.stringContaining('appeared') });
    await output.abort();
    expect(await readFile(path, 'utf8')).toBe('theirs');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });

  it('without overwrite, writes a path that is still free; with it, replaces what is there', async () => {
    const path = join(dir, 'out.txt');
    await writeFileAtomic(path, Buffer.from('first'), false);
    expect(await readFile(path, 'utf8')).toBe('first');
    await writeFileAtomic(path, Buffer.from('second'), true);
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });

  it('writes a file whose name is as long as the file system allows', async () => {
    const path = join(dir, `${'é'.repeat(120)}.pkms`); // 245 bytes: too long with a suffix added
    await writeFileAtomic(path, Buffer.from('x'));
    expect(await readFile(path, 'utf8')).toBe('x');
    expect(await readdir(dir)).toHaveLength(1);
  });
});
