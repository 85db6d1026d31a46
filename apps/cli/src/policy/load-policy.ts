import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseKeyUri } from '@polykms/key-uri';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { keyUriHint } from '../io/key-uri-suggestion.js';
import { redactCredentials } from '../io/redact.js';
import { printable } from '../io/terminal-text.js';
import { type CreationRuleInput, MAX_POLICY_FILE_BYTES, policySchema } from './policy-schema.js';

/** A creation rule, validated, with local key files resolved against the policy file's directory. */
export interface CreationRule {
  /** Its place in the file, from 0: `creation_rules[index]`. */
  readonly index: number;
  readonly pathGlob: string | undefined;
  readonly pathRegex: RegExp | undefined;
  readonly keys: readonly string[] | undefined;
  /** A keyset file (absolute) and the key URI that unlocks it. */
  readonly keyset: { readonly file: string; readonly unlock: string } | undefined;
  readonly context: Readonly<Record<string, string>>;
}

export interface Policy {
  /** The policy file, absolute. */
  readonly file: string;
  /** Paths are matched relative to this directory: the policy file's own. */
  readonly root: string;
  readonly rules: readonly CreationRule[];
}

function invalid(file: string, field: string, problem: string): CliError {
  return new CliError(
    `${printable(file)}: ${field ? `${field}: ` : ''}${printable(redactCredentials(problem))}`,
    ExitCode.Usage,
  );
}

/** `creation_rules[2].keys[0]`, the way a reader finds the field in the file. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** `local://app.key` in a policy file names the file beside it, not one in the working directory. */
function anchorLocalKey(uri: string, root: string): string {
  const match = /^local:\/\/(.+)$/.exec(uri);
  if (!match?.[1] || isAbsolute(match[1])) return uri;
  return `local://${resolve(root, match[1])}`;
}

function checkKeyUri(file: string, field: string, uri: string): void {
  try {
    parseKeyUri(uri);
  } catch (error) {
    const hint = keyUriHint(uri);
    const message = error instanceof Error ? error.message : String(error);
    throw invalid(file, field, hint ? `${message}; ${hint}` : message);
  }
}

function compileRule(file: string, root: string, rule: CreationRuleInput, index: number): CreationRule {
  const at = `creation_rules[${index}]`;
  let pathRegex: RegExp | undefined;
  if (rule.path_regex !== undefined) {
    try {
      pathRegex = new RegExp(rule.path_regex, 'u');
    } catch (error) {
      throw invalid(file, `${at}.path_regex`, (error as Error).message);
    }
  }
  for (const [i, uri] of (rule.keys ?? []).entries()) checkKeyUri(file, `${at}.keys[${i}]`, uri);
  if (rule.unlock !== undefined) checkKeyUri(file, `${at}.unlock`, rule.unlock);
  return {
    index,
    pathGlob: rule.path_glob,
    pathRegex,
    keys: rule.keys?.map((uri) => anchorLocalKey(uri, root)),
    keyset:
      rule.keyset === undefined || rule.unlock === undefined
        ? undefined
        : { file: resolve(root, rule.keyset), unlock: anchorLocalKey(rule.unlock, root) },
    context: Object.assign(Object.create(null), rule.context ?? {}),
  };
}

/** Reads and validates a policy file; errors name the file and the field (`creation_rules[1].keys`). */
export async function loadPolicy(path: string): Promise<Policy> {
  const file = resolve(path);
  const size = (await stat(file)).size;
  if (size > MAX_POLICY_FILE_BYTES) {
    throw invalid(file, '', `${size} bytes; a policy file is at most ${MAX_POLICY_FILE_BYTES} bytes`);
  }
  // prettyErrors gives the line and column; only those and the error code are shown, not the text.
  const document = parseDocument(await readFile(file, 'utf8'), { uniqueKeys: true, prettyErrors: true });
  const [yamlError] = document.errors;
  if (yamlError) {
    const [line, column] = yamlError.linePos?.[0]
      ? [yamlError.linePos[0].line, yamlError.linePos[0].col]
      : [];
    throw invalid(file, line ? `line ${line}, column ${column}` : '', `not valid YAML (${yamlError.code})`);
  }
  // Aliases are expanded within a bound, so that a few lines cannot become gigabytes.
  const parsed = policySchema.safeParse(document.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    const issue = (parsed.error as z.ZodError).issues[0];
    throw invalid(file, issue ? fieldPath(issue.path) : '', issue?.message ?? 'invalid');
  }
  const root = dirname(file);
  return { file, root, rules: parsed.data.creation_rules.map((rule, i) => compileRule(file, root, rule, i)) };
}
