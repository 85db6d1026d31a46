import { resolve } from 'node:path';
import type { Command } from 'commander';
import { redactCredentials } from '../io/redact.js';
import { printable } from '../io/terminal-text.js';
import { POLICY_FILE_NAME } from '../policy/find-policy-file.js';
import { policyPathOf, ruleFor } from '../policy/match-rule.js';
import { describeRule, policyFrom } from '../policy/encrypt-settings.js';

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .summary(`show what the ${POLICY_FILE_NAME} policy file decides`)
    .description(
      `polykms looks for ${POLICY_FILE_NAME} in the working directory, then in each parent up to the ` +
        'filesystem root; its creation_rules say which keys (and default context) encrypt which files.',
    )
    .addHelpText('after', '\nExamples:\n  polykms config show secrets/prod.env');
  config
    .command('show')
    .summary('print the policy rule that applies to a file')
    .description(
      `Prints which ${POLICY_FILE_NAME} applies, the first of its creation_rules that matches FILE, ` +
        'and the keys and context that `polykms encrypt FILE` would then use. Reads no key, calls no KMS.',
    )
    .argument('<file>', 'the file to look up (it need not exist)')
    .option('--json', 'print JSON instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  polykms config show secrets/prod.env\n' +
        '  polykms config show data/orders.csv --json',
    )
    .action(async (file: string, flags: { json?: boolean }) => {
      const policy = await policyFrom();
      const rule = policy && (await ruleFor(policy, file));
      if (flags.json) {
        const report = {
          file: resolve(file),
          policy: policy?.file ?? null,
          path: policy ? policyPathOf(policy, file) : null,
          rule: rule
            ? {
                index: rule.index,
                pathGlob: rule.pathGlob ?? null,
                pathRegex: rule.pathRegex?.source ?? null,
                keys: rule.keys ?? null,
                keyset: rule.keyset ?? null,
                context: rule.context,
              }
            : null,
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      if (!policy) {
        process.stdout.write(`no ${POLICY_FILE_NAME} in ${printable(process.cwd())} or any parent\n`);
        return;
      }
      if (!rule) {
        process.stdout.write(
          `policy  ${printable(policy.file)}\nrule    none matches '${printable(policyPathOf(policy, file))}': encrypt needs --key\n`,
        );
        return;
      }
      const context = Object.entries(rule.context);
      const lines = [
        `policy   ${printable(policy.file)}`,
        `path     ${printable(policyPathOf(policy, file))}`,
        `rule     ${describeRule(policy, rule)}`,
        ...(rule.keys ?? []).map(
          (key, i) => `${i === 0 ? 'keys' : '    '}     ${printable(redactCredentials(key))}`,
        ),
        ...(rule.keyset
          ? [`keyset   ${printable(rule.keyset.file)}`, `unlock   ${printable(rule.keyset.unlock)}`]
          : []),
        `context  ${context.length === 0 ? '(none)' : context.map(([k, v]) => `${printable(k)}=${printable(v)}`).join(' ')}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
