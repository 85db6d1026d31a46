import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConformanceCase,
  type ConformanceHarness,
  conformanceCases,
  runConformance,
} from '@polykms/conformance';
import { describe, expect, it } from 'vitest';
import { createInMemoryKmsHarness } from '../examples/in-memory-kms/harness.js';

const pick = (...ids: string[]) => conformanceCases.filter((c) => ids.includes(c.id));

describe('runConformance (no test runner)', () => {
  it('passes every applicable case of the example adapter and reports none as not run', async () => {
    const report = await runConformance(createInMemoryKmsHarness());
    expect(report.summary.failed).toBe(0);
    expect(report.summary['not run']).toBe(0);
    expect(report.summary.passed).toBe(conformanceCases.length - report.summary.skipped);
    expect(report.cases.find((c) => c.id === 'leaks/declared-secrets')?.verdict).toBe('passed');
  });

  it('records a failing case as a verdict with its reason, and goes on to the next', async () => {
    const base = createInMemoryKmsHarness();
    const harness: ConformanceHarness = { ...base, keyringForKeyB: () => base.discoveryKeyring!('admit') };
    const report = await runConformance(harness, {
      cases: pick('isolation/key-b-ignores-key-a', 'round-trip/generate'),
    });
    expect(report.cases.map((c) => [c.id, c.verdict])).toEqual([
      ['round-trip/generate', 'passed'],
      ['isolation/key-b-ignores-key-a', 'failed'],
    ]);
    expect(report.cases[1]!.reason).toMatch(/^AssertionError: /);
  });

  it('fails a case that outlives caseTimeoutMs and still runs the ones after it', async () => {
    const hangs: ConformanceCase = {
      id: 'x/hangs',
      title: 'never settles',
      run: () => new Promise(() => {}),
    };
    const quick: ConformanceCase = { id: 'x/quick', title: 'settles', run: async () => {} };
    const harness: ConformanceHarness = { ...createInMemoryKmsHarness(), caseTimeoutMs: 50 };
    const report = await runConformance(harness, { cases: [hangs, quick] });
    expect(report.cases).toMatchObject([
      { id: 'x/hangs', verdict: 'failed', reason: 'timed out after 50 ms' },
      { id: 'x/quick', verdict: 'passed' },
    ]);
  });

  it('leaves every case not run, saying why, when setup fails; teardown still runs', async () => {
    let tornDown = false;
    const harness: ConformanceHarness = {
      ...createInMemoryKmsHarness(),
      setup: () => {
        throw new Error('no emulator');
      },
      teardown: () => {
        tornDown = true;
      },
    };
    const report = await runConformance(harness, { cases: pick('round-trip/generate') });
    expect(report.cases[0]).toMatchObject({ verdict: 'not run', reason: 'setup failed: Error: no emulator' });
    expect(tornDown).toBe(true);
  });

  it('writes the report as JSON, Markdown and JUnit XML into report.dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-run-'));
    const base = createInMemoryKmsHarness();
    const harness: ConformanceHarness = {
      ...base,
      name: 'junit <target> & co',
      keyringForKeyB: () => base.discoveryKeyring!('admit'),
    };
    await runConformance(harness, {
      report: { dir },
      cases: pick('round-trip/generate', 'isolation/key-b-ignores-key-a', 'discovery/admits'),
      waive: { 'discovery/admits': 'see issue 1' },
    });
    const json = JSON.parse(readFileSync(join(dir, 'junit-target-co.json'), 'utf8'));
    expect(json.summary).toEqual({ passed: 1, failed: 1, skipped: 1, 'not run': 0 });
    expect(readFileSync(join(dir, 'junit-target-co.md'), 'utf8')).toContain('| `round-trip/generate`');
    const xml = readFileSync(join(dir, 'junit-target-co.xml'), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(xml).toContain(
      '<testsuite name="conformance: junit &lt;target&gt; &amp; co" tests="3" failures="1"',
    );
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toMatch(/<failure message="AssertionError: [^"]+"\/>/);
    expect(xml).toContain('<skipped message="waived: see issue 1"/>');
  });
});
