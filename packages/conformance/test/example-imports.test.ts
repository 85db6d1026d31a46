import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const exampleDir = new URL('../examples/in-memory-kms/', import.meta.url);

// The worked example is the proof that a keyring written against the driver interface needs no
// helper from the envelope's main entry point: it imports only `@polykms/envelope/driver`.
describe('the in-memory-kms example adapter', () => {
  it('imports nothing from the main entry point of @polykms/envelope', async () => {
    const sources = (await readdir(exampleDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(sources).toContain('driver.ts');
    for (const file of sources) {
      const text = await readFile(new URL(file, exampleDir), 'utf8');
      expect(text, file).not.toMatch(/from '@polykms\/envelope'/);
    }
  });
});
