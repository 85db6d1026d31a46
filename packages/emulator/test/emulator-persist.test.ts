import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createStatePersister, loadStateFile } from '../src/persist.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-persist-test-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

test('writes a burst of changes once, with the latest state, and leaves no temporary file', async () => {
  const file = join(dir, 'state.json');
  let collected = 0;
  let value = 0;
  const persister = createStatePersister(file, () => {
    collected++;
    return { gcp: { value } };
  });
  for (value = 1; value <= 5; value++) persister.schedule();
  await persister.flush();
  expect(collected).toBe(1);
  expect(await loadStateFile(file)).toEqual({ gcp: { value: 6 } });
  expect(await readdir(dir)).toEqual(['state.json']);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
});

test('flush without a change writes nothing', async () => {
  const file = join(dir, 'state.json');
  const persister = createStatePersister(file, () => ({}));
  await persister.flush();
  await expect(readdir(dir)).resolves.toEqual([]);
});

test('reports a failed write and writes again at the next change', async () => {
  const blocked = join(dir, 'blocked');
  await mkdir(join(blocked, 'state.json'), { recursive: true }); // a directory where the file should go
  const errors: unknown[] = [];
  const persister = createStatePersister(join(blocked, 'state.json'), () => ({ a: 1 }), {
    onError: (error) => errors.push(error),
  });
  persister.schedule();
  await persister.flush();
  expect(errors).toHaveLength(1);
  expect((await readdir(blocked)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  await rm(join(blocked, 'state.json'), { recursive: true });
  persister.schedule();
  await persister.flush();
  expect(JSON.parse(await readFile(join(blocked, 'state.json'), 'utf8')).clouds).toEqual({ a: 1 });
});

test('treats a missing state file as empty state', async () => {
  expect(await loadStateFile(join(dir, 'absent.json'))).toEqual({});
});
