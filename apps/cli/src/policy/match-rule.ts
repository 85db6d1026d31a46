import { relative, resolve, sep } from 'node:path';
import type { CreationRule, Policy } from './load-policy.js';

/**
 * The path a rule sees: relative to the policy file's directory, with `/` on every platform. A file
 * outside that directory keeps its `../`, so that only a rule written for it (or one with no
 * pattern) applies.
 */
export function policyPathOf(policy: Policy, file: string): string {
  return relative(policy.root, resolve(file)).split(sep).join('/');
}

type IsMatch = (path: string, glob: string, options: { dot: boolean }) => boolean;

/** picomatch is loaded by the first glob rule, not at start-up: most runs have no policy file. */
let isMatch: Promise<IsMatch> | undefined;
function globMatcher(): Promise<IsMatch> {
  isMatch ??= import('picomatch').then(({ default: picomatch }) => picomatch.isMatch);
  return isMatch;
}

async function matches(rule: CreationRule, path: string): Promise<boolean> {
  if (rule.pathRegex) return rule.pathRegex.test(path);
  if (rule.pathGlob) return (await globMatcher())(path, rule.pathGlob, { dot: true });
  return true;
}

/** The first rule whose pattern matches `file` (a rule with no pattern matches every file). */
export async function ruleFor(policy: Policy, file: string): Promise<CreationRule | undefined> {
  const path = policyPathOf(policy, file);
  for (const rule of policy.rules) if (await matches(rule, path)) return rule;
  return undefined;
}
