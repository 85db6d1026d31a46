import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPolicyFile } from '../src/policy/find-policy-file.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import { ruleFor } from '../src/policy/match-rule.js';

const AWS = 'aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'polykms-policy-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function policyWith(text: string, dir = root): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, '.polykms.yaml');
  await writeFile(file, text);
  return file;
}

describe('finding .polykms.yaml', () => {
  it('takes the nearest one from the working directory upward', async () => {
    const top = await policyWith('creation_rules: [{ keys: [local://a.key] }]', join(root, 'find'));
    const deep = join(root, 'find', 'a', 'b', 'c');
    await mkdir(deep, { recursive: true });
    expect(await findPolicyFile(deep)).toBe(top);
    const nearer = await policyWith('creation_rules: [{ keys: [local://b.key] }]', join(root, 'find', 'a'));
    expect(await findPolicyFile(deep)).toBe(nearer);
  });

  it('finds none when no directory up to the root has one', async () => {
    // The temporary directory's parents are the system's: none has a .polykms.yaml.
    const alone = await mkdtemp(join(tmpdir(), 'polykms-nopolicy-'));
    expect(await findPolicyFile(alone)).toBeUndefined();
    await rm(alone, { recursive: true });
  });
});

describe('creation rules', () => {
  it('apply the first rule that matches, by glob or regex on the path relative to the policy file', async () => {
    const dir = join(root, 'match');
    const policy = await loadPolicy(
      await policyWith(
        [
          'creation_rules:',
          '  - path_regex: \\.env$',
          `    keys: [${AWS}]`,
          '    context: { kind: env }',
          '  - path_glob: "secrets/**/*.json"',
          '    keys: [local://team.key]',
          '  - keys: [local://fallback.key]',
        ].join('\n'),
        dir,
      ),
    );
    expect((await ruleFor(policy, join(dir, 'app/prod.env')))?.index).toBe(0);
    expect((await ruleFor(policy, join(dir, 'secrets/a/b.json')))?.index).toBe(1);
    expect((await ruleFor(policy, join(dir, 'secrets/b.yaml')))?.index).toBe(2);
    expect((await ruleFor(policy, join(dir, 'app/prod.env')))?.context).toEqual({ kind: 'env' });
    // local:// key files are named relative to the policy file, wherever encrypt runs.
    expect((await ruleFor(policy, join(dir, 'secrets/a/b.json')))?.keys).toEqual([
      `local://${join(dir, 'team.key')}`,
    ]);
  });

  it('return a keyset rule with its unlock key, for the keyset support to use', async () => {
    const policy = await loadPolicy(
      await policyWith(`creation_rules:\n  - keyset: keys.pkks\n    unlock: ${AWS}\n`, join(root, 'keyset')),
    );
    expect(policy.rules[0]?.keyset).toEqual({ file: join(root, 'keyset', 'keys.pkks'), unlock: AWS });
    expect(policy.rules[0]?.keys).toBeUndefined();
  });

  it.each([
    ['creation_rules: []', /creation_rules: Too small/i],
    [
      'creation_rules:\n  - keys: [local://a.key]\n    colour: red',
      /creation_rules\[0\]: Unrecognized key: "colour"/,
    ],
    [
      'creation_rules:\n  - path_glob: "*"\n    keys: [local://a.key]\n  - keys: [awskms://x]',
      /creation_rules\[1\]\.keys\[0\]: .*did you mean aws-kms:\/\//,
    ],
    [
      'creation_rules:\n  - keys: [local://a.key]\n    keyset: k.pkks\n    unlock: local://b.key',
      /creation_rules\[0\]: give either keys .* or keyset/,
    ],
    ['creation_rules:\n  - keyset: k.pkks', /creation_rules\[0\]: keyset and unlock go together/],
    ['creation_rules:\n  - path_regex: "("\n    keys: [local://a.key]', /creation_rules\[0\]\.path_regex: /],
    [
      'creation_rules:\n  - keys: [local://a.key]\n    context: { tenant: 7 }',
      /creation_rules\[0\]\.context\.tenant: /,
    ],
    ['creation_rules:\n  - keys: [local://a.key]\n  keys: x: y', /line 3, column \d+: not valid YAML/],
  ])('refuse %j naming the file and the field', async (text, expected) => {
    const file = await policyWith(text, join(root, 'bad'));
    const error = await loadPolicy(file).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(expected);
    expect(error?.message.startsWith(`${file}: `)).toBe(true);
  });

  it('redact credentials a bad key URI carries', async () => {
    const file = await policyWith(
      'creation_rules:\n  - keys: ["azurekv://me:pa55@v.vault.azure.net/keys/k"]\n',
      join(root, 'cred'),
    );
    const error = await loadPolicy(file).catch((e: Error) => e);
    expect(String(error)).not.toContain('pa55');
  });
});

describe('the README', () => {
  it('shows a policy file that loads, and a Kubernetes Job that parses', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const policyExample = blocks.find((b) => b.startsWith('creation_rules:'));
    expect(policyExample).toBeDefined();
    const policy = await loadPolicy(await policyWith(policyExample ?? '', join(root, 'readme')));
    expect(policy.rules).toHaveLength(3);
    const { parse } = await import('yaml');
    const job = parse(blocks.find((b) => b.includes('kind: Job')) ?? '');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.template.spec.containers[0].env).toEqual([
      { name: 'POLYKMS_SHARD_COUNT', value: String(job.spec.completions) },
    ]);
  });
});
