import { z } from 'zod';

/** Bounds on what a policy file may hold: it is read on every encrypt, and may come with a repository. */
export const MAX_POLICY_FILE_BYTES = 256 * 1024;
export const MAX_CREATION_RULES = 1000;
export const MAX_RULE_KEYS = 32;

const contextSchema = z.record(z.string().min(1, 'a context key cannot be empty'), z.string());

/** One `creation_rules` entry: which files (by path), and who can decrypt them. */
export const creationRuleSchema = z
  .strictObject({
    /** A glob (picomatch) on the path relative to the policy file's directory. */
    path_glob: z.string().min(1).optional(),
    /** A JavaScript regular expression on that path, as sops' `path_regex`. */
    path_regex: z.string().min(1).optional(),
    keys: z.array(z.string().min(1)).min(1).max(MAX_RULE_KEYS).optional(),
    keyset: z.string().min(1).optional(),
    unlock: z.string().min(1).optional(),
    context: contextSchema.optional(),
  })
  .refine((rule) => !(rule.path_glob && rule.path_regex), {
    message: 'give path_glob or path_regex, not both',
  })
  .refine((rule) => (rule.keys === undefined) !== (rule.keyset === undefined), {
    message: 'give either keys (a list of key URIs) or keyset (with unlock), exactly one',
  })
  .refine((rule) => (rule.keyset === undefined) === (rule.unlock === undefined), {
    message: 'keyset and unlock go together: unlock names the key that opens the keyset',
  });

export const policySchema = z.strictObject({
  creation_rules: z.array(creationRuleSchema).min(1).max(MAX_CREATION_RULES),
});

export type CreationRuleInput = z.infer<typeof creationRuleSchema>;
