import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConformanceHarness,
  buildReport,
  conformanceCases,
  errorTexts,
  failureLine,
  harnessDeclaration,
  findSecrets,
  reportToMarkdown,
  skipReason,
  testTitle,
} from '@polykms/conformance';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import { KmsError } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';

const bare: ConformanceHarness = {
  name: 'bare',
  providerId: 'bare',
  remote: true,
  bindsContext: false,
  keyringForKeyA: () => {
    throw new Error('not used');
  },
  keyringForKeyB: () => {
    throw new Error('not used');
  },
};

describe('skips', () => {
  it('skips every case that needs a hook the harness lacks, naming the hook', () => {
    const reasons = new Map(conformanceCases.map((c) => [c.id, skipReason(c, bare)]));
    expect(reasons.get('isolation/key-b-ignores-key-a-no-call')).toBe('the harness has no admin.callCount');
    expect(reasons.get('errors/disabled-key-wrap')).toBe(
      'the harness has no admin.disableKey, admin.enableKey',
    );
    expect(reasons.get('discovery/admits')).toBe('the harness has no discoveryKeyring');
    expect(reasons.get('context/unwrap-other-context')).toMatch(/does not bind the encryption context/);
    expect(reasons.get('round-trip/generate')).toBeUndefined();
  });

  it('marks the KMS-call cases of a local keyring not applicable', () => {
    const local = { ...bare, remote: false };
    expect(skipReason(conformanceCases.find((c) => c.id === 'faults/abort-before-call')!, local)).toMatch(
      /^not applicable/,
    );
  });

  it('skips every case of an unavailable target with its reason', () => {
    const unavailable = { ...bare, unavailable: 'no credentials (set POLYKMS_CONFORMANCE_AWS_KEY_A)' };
    for (const c of conformanceCases) {
      expect(skipReason(c, unavailable)).toBe('skipped: no credentials (set POLYKMS_CONFORMANCE_AWS_KEY_A)');
    }
  });

  it('gives every case a unique id', () => {
    const ids = conformanceCases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('report', () => {
  it('counts verdicts and lists each skip with its reason', () => {
    const report = buildReport('t', 'p', [
      { id: 'a/x', title: 'x works', verdict: 'passed' },
      { id: 'a/y', title: 'y | pipes', verdict: 'skipped', reason: 'the harness has no admin.deny' },
    ]);
    expect(report.summary).toEqual({ passed: 1, failed: 0, skipped: 1, 'not run': 0 });
    const markdown = reportToMarkdown(report);
    expect(markdown).toContain('| `a/y` y \\| pipes | skipped | the harness has no admin.deny |');
  });

  it('counts skips by kind: not applicable, missing hook, waived, unavailable', () => {
    const skipped = (id: string, reason: string) => ({ id, title: id, verdict: 'skipped' as const, reason });
    const report = buildReport('t', 'p', [
      skipped('a/1', 'not applicable: the keyring makes no KMS call'),
      skipped('a/2', 'not applicable: the KMS does not bind the encryption context (the header tag does)'),
      skipped('a/3', 'the harness has no admin.deny'),
      skipped('a/4', 'waived: https://example.test/issues/1'),
    ]);
    expect(report.skips).toEqual({ 'not applicable': 2, 'missing hook': 1, waived: 1, unavailable: 0 });
    expect(reportToMarkdown(report)).toContain('4 skipped (2 not applicable, 1 missing hook, 1 waived)');
  });

  it('shows the flags and hooks the harness declared, since they decide which cases apply', () => {
    const local = {
      ...bare,
      remote: false,
      bindsContext: false,
      discoveryKeyring: bare.keyringForKeyA,
      admin: { rotateKey: () => {} },
    };
    const declared = harnessDeclaration(local);
    expect(declared).toEqual({
      remote: false,
      bindsContext: false,
      versionPinned: false,
      hooks: ['discoveryKeyring', 'admin.rotateKey'],
    });
    const report = buildReport('t', 'p', [], declared);
    expect(JSON.parse(JSON.stringify(report)).harness).toEqual(declared);
    expect(reportToMarkdown(report)).toContain(
      'Harness declares: `remote: false`, `bindsContext: false`, `versionPinned: false`; ' +
        'hooks: `discoveryKeyring`, `admin.rotateKey`',
    );
  });
});

describe('secret scan', () => {
  const secret = randomBytes(32);
  const encodings: [string, string][] = [
    ['hex', secret.toString('hex')],
    ['HEX', secret.toString('hex').toUpperCase()],
    ['base64', secret.toString('base64')],
    ['base64url', secret.subarray(5).toString('base64url')],
    ['raw bytes', secret.toString('latin1')],
    ['decimal list', Array.from(secret.subarray(3, 20)).join(',')],
    ['util.inspect of a Buffer', inspect(secret)],
    ['util.inspect of a Uint8Array', inspect(Uint8Array.from(secret))],
    ['colon-separated hex', secret.toString('hex').match(/../g)!.join(':')],
    ['colon-separated HEX', secret.toString('hex').toUpperCase().match(/../g)!.join(':')],
  ];
  for (const [label, text] of encodings) {
    it(`finds a data key written as ${label}, even in part`, () => {
      // A window can read the same in two encodings (base64 without + or / is also base64url).
      const leaks = findSecrets([{ name: 'k', bytes: secret }], [{ where: 'w', text: `x ${text} y` }]);
      expect(leaks).toHaveLength(1);
      expect(leaks[0]).toMatch(/^k \(.+\) in w$/);
    });
  }

  it('finds nothing in text that does not contain the secret', () => {
    expect(
      findSecrets([{ name: 'k', bytes: secret }], [{ where: 'w', text: randomBytes(64).toString('hex') }]),
    ).toEqual([]);
  });

  it('reads the message, the stack, the cause and the recipient failures of an error', () => {
    const error = new KmsError({
      code: 'ERR_ACCESS_DENIED',
      provider: 'p',
      operation: 'o',
      cause: new Error('inner'),
    });
    const where = errorTexts(error, 'e').map((t) => t.where);
    expect(where).toEqual(expect.arrayContaining(['e.message', 'e.stack', 'e.cause.message']));
  });

  const scan = (error: unknown) => findSecrets([{ name: 'k', bytes: secret }], errorTexts(error, 'e'));

  it('finds a key that util.inspect printed into an error message', () => {
    const error = new Error(`wrapping ${inspect(secret)} failed`);
    expect(scan(error)).toContain('k (spaced hex) in e.message');
  });

  it('finds a key base64-encoded in a JSON body nested in an error property (axios config.data)', () => {
    const error = Object.assign(new Error('denied'), {
      config: { data: JSON.stringify({ KeyId: 'k1', Plaintext: secret.toString('base64') }) },
    });
    expect(scan(error)).toContain('k (base64) in e.config.data');
  });

  it('finds a key held as bytes in a nested error property', () => {
    const error = Object.assign(new Error('denied'), {
      request: { keyId: 'k1', plaintext: Uint8Array.from(secret) },
    });
    expect(scan(error)).toContain('k (raw bytes) in e.request.plaintext');
  });

  it('finds a key written as colon-separated hex in a cause', () => {
    const hex = secret.toString('hex').match(/../g)!.join(':');
    const error = new Error('outer', { cause: new Error(`key=${hex}`) });
    expect(scan(error)).toContain('k (colon hex) in e.cause.message');
  });

  it('walks cyclic and deep error graphs without looping', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    let deep: Record<string, unknown> = { key: Uint8Array.from(secret) };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    const error = Object.assign(new Error('x'), { a, deep });
    expect(scan(error)).toEqual([]);
    expect(scan(Object.assign(new Error('x'), { a, near: { key: Uint8Array.from(secret) } }))).toHaveLength(
      1,
    );
  });
});

describe('failure lines and titles', () => {
  it('gives a reason that says something when the message announces what follows', () => {
    let thrown: unknown;
    try {
      assert.strictEqual(1, 2);
    } catch (error) {
      thrown = error;
    }
    expect(failureLine(thrown)).toBe('AssertionError: Expected values to be strictly equal: 1 !== 2');
  });

  it('keeps a one-line message as it is, and skips leading blank lines', () => {
    expect(failureLine(new Error('key B returned a data key'))).toBe('Error: key B returned a data key');
    expect(failureLine(new TypeError('\n\n  bad input\nmore'))).toBe('TypeError: bad input');
  });

  it('prefixes each test title with the case id', () => {
    expect(testTitle(conformanceCases[0]!)).toBe(`${conformanceCases[0]!.id}: ${conformanceCases[0]!.title}`);
  });
});

describe('registerConformanceSuite', () => {
  // Registered at collection time: two cases of a target without credentials, shown as skips.
  const dir = mkdtempSync(join(tmpdir(), 'conformance-report-'));
  registerConformanceSuite(
    { ...bare, name: 'no credentials target', unavailable: 'no credentials (set X)' },
    { report: { dir }, cases: conformanceCases.slice(0, 2) },
  );

  it('writes the report of an all-skipped target at once, each case with its reason', () => {
    const report = JSON.parse(readFileSync(join(dir, 'no-credentials-target.json'), 'utf8'));
    expect(report.summary).toEqual({ passed: 0, failed: 0, skipped: 2, 'not run': 0 });
    expect(report.cases[0].reason).toBe('skipped: no credentials (set X)');
    expect(report.skips).toEqual({ 'not applicable': 0, 'missing hook': 0, waived: 0, unavailable: 2 });
    expect(report.harness).toEqual({ remote: true, bindsContext: false, versionPinned: false, hooks: [] });
    expect(readFileSync(join(dir, 'no-credentials-target.md'), 'utf8')).toContain(
      'skipped: no credentials (set X)',
    );
  });
});
