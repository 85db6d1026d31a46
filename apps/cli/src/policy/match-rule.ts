import { relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { CreationRule, Policy } from './load-policy.js';

/**
 * The path a rule sees: relative to the policy file's directory, with `/` on every platform. A file
 * outside that directory keeps its `../`, so that only a rule written for it (or one with no
 * pattern) applies.
 */
export function policyPathOf(policy: Policy, file: string): string {
  return relative(policy.root, resolve(file)).split(sep).join('/');
}

function matches(rule: CreationRule, path: string): boolean {
  if (rule.pathRegex) return rule.pathRegex.test(path);
  if (rule.pathGlob) return picomatch.isMatch(path, rule.pathGlob, { dot: true });
  return true;
}

/** The first rule whose pattern matches `file` (a rule with no pattern matches every file). */
export function ruleFor(policy: Policy, file: string): CreationRule | undefined {
  const path = policyPathOf(policy, file);
  return policy.rules.find((rule) => matches(rule, path));
}
