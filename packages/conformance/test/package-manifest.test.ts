import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * Adapter authors install this package with npm, yarn or pnpm from the registry. `npm pack`
 * copies peerDependencies verbatim, and npm refuses a `workspace:` range (EUNSUPPORTEDPROTOCOL).
 */

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const manifest = read('../package.json');
const envelope = read('../../envelope/package.json');

describe('the published manifest', () => {
  it('declares peer dependencies as plain semver ranges, not workspace: ranges', () => {
    for (const [name, range] of Object.entries(manifest.peerDependencies as Record<string, string>)) {
      expect(range, name).not.toMatch(/^workspace:/);
    }
  });

  it("accepts the envelope version of this repository as its peer (a caret range on envelope's version)", () => {
    expect(manifest.peerDependencies['@polykms/envelope']).toBe(`^${envelope.version}`);
  });

  it('makes vitest an optional peer, needed only by the @polykms/conformance/vitest binding', () => {
    expect(manifest.peerDependenciesMeta).toEqual({ vitest: { optional: true } });
    expect(Object.keys(manifest.exports)).toEqual(['.', './vitest', './node-test']);
  });
});
