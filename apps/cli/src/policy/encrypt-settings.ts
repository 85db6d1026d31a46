import { CliError } from '../cli-error.js';
import { STDIO } from '../io/stdio.js';
import { printable } from '../io/terminal-text.js';
import { POLICY_FILE_NAME, findPolicyFile } from './find-policy-file.js';
import type { CreationRule, Policy } from './load-policy.js';
import { ruleFor } from './match-rule.js';

/** Who can decrypt a new message and what context binds it, and where that came from. */
export interface EncryptSettings {
  /** Key URIs to wrap the data key for; empty when a keyset wraps it. */
  readonly keys: readonly string[];
  /** A keyset file and the keys that unlock it (`--keyset`, or a rule's `keyset` and `unlock`). */
  readonly keyset: { readonly file: string; readonly unlock: readonly string[] } | undefined;
  readonly context: Readonly<Record<string, string>>;
  /** The policy rule that chose the keys; undefined when `--key` did. */
  readonly rule: { readonly policy: string; readonly index: number } | undefined;
}

/**
 * The policy that applies in `cwd` (the nearest `.polykms.yaml` upward), loaded once per process.
 * Its reader (yaml, zod) is imported only when there is a file: most runs have none, and those
 * modules are several MiB of a streamed encrypt's peak memory (#17).
 */
const policies = new Map<string, Promise<Policy | undefined>>();
export function policyFrom(cwd: string = process.cwd()): Promise<Policy | undefined> {
  let policy = policies.get(cwd);
  if (!policy) {
    policy = findPolicyFile(cwd).then(async (file) =>
      file === undefined ? undefined : (await import('./load-policy.js')).loadPolicy(file),
    );
    policies.set(cwd, policy);
  }
  return policy;
}

export function describeRule(policy: Policy, rule: CreationRule): string {
  const pattern = rule.pathGlob
    ? `path_glob ${rule.pathGlob}`
    : rule.pathRegex
      ? `path_regex ${rule.pathRegex.source}`
      : 'no pattern';
  return `creation_rules[${rule.index}] (${printable(pattern)}) of ${printable(policy.file)}`;
}

/**
 * What to encrypt `file` for. Explicit `--key`s or `--keyset` win, and the policy file is then not
 * read; without them the first creation rule that matches the path decides, and `--context` pairs
 * are added to its default context (replacing a default of the same name).
 */
export async function encryptSettingsFor(
  file: string,
  flags: {
    readonly key?: readonly string[] | undefined;
    readonly keyset?: string | undefined;
    readonly unlock?: readonly string[] | undefined;
    readonly context: Readonly<Record<string, string>>;
  },
): Promise<EncryptSettings> {
  if ((flags.key && flags.key.length > 0) || flags.keyset !== undefined) {
    const keyset =
      flags.keyset === undefined ? undefined : { file: flags.keyset, unlock: flags.unlock ?? [] };
    return { keys: flags.key ?? [], keyset, context: flags.context, rule: undefined };
  }
  if (file === STDIO) {
    throw new CliError(
      'name at least one --key (e.g. --key local://app.key or --key aws-kms://arn:aws:kms:…): ' +
        `stdin has no path for a ${POLICY_FILE_NAME} rule to match`,
    );
  }
  const policy = await policyFrom();
  const rule = policy && (await ruleFor(policy, file));
  if (!policy || !rule) {
    throw new CliError(
      'name at least one --key (e.g. --key local://app.key or --key aws-kms://arn:aws:kms:…), or give ' +
        `'${printable(file)}' a creation rule in ${policy ? printable(policy.file) : `a ${POLICY_FILE_NAME} (none in this directory or its parents)`}`,
    );
  }
  return {
    keys: rule.keys ?? [],
    keyset: rule.keyset && { file: rule.keyset.file, unlock: [rule.keyset.unlock] },
    context: Object.assign(Object.create(null), rule.context, flags.context),
    rule: { policy: policy.file, index: rule.index },
  };
}
