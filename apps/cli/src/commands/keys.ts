import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { generateKeyFile } from '@polykms/local';
import { printable } from '../io/terminal-text.js';
import { parsePositiveInt } from '../options.js';

/**
 * A header names a local key by namespace and name only, so two key files with the same name are
 * one recipient to rewrap and migrate. The default name is therefore the file name plus a random
 * suffix: `k2024/app.key` and `k2025/app.key` get different names.
 */
function defaultKeyName(file: string): string {
  return `${basename(file).replace(/\.(key|json)$/, '')}-${randomBytes(4).toString('hex')}`;
}

interface GenerateFlags {
  type: 'aes' | 'rsa';
  namespace: string;
  name?: string;
  bits?: string;
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .summary('manage local key files')
    .addHelpText(
      'after',
      '\nExamples:\n  polykms keys generate app.key\n  polykms keys generate partner.key --type rsa --name partner-2026',
    );
  keys
    .command('generate')
    .summary('create a new local key file (AES-256 by default)')
    .description(
      'Creates a key file readable only by you (mode 0600) and prints the key URI to use it. ' +
        'It is never overwritten: losing a key loses every message only it can open, so back it up. ' +
        'The file holds the key itself; keep it out of version control.',
    )
    .argument('<file>', 'the key file to create')
    .addOption(
      new Option('--type <type>', 'aes (symmetric) or rsa (public key can be shared)')
        .choices(['aes', 'rsa'])
        .default('aes'),
    )
    .option(
      '--namespace <ns>',
      'the key namespace written into messages (the EDK provider id)',
      'polykms-local',
    )
    .option(
      '--name <name>',
      'the key name written into messages; make it unique (default: the file name and a random suffix)',
    )
    .option('--bits <n>', 'AES: 128, 192 or 256 (default 256); RSA: 2048, 3072 or 4096 (default 3072)')
    .addHelpText(
      'after',
      '\nExample:\n  polykms keys generate app.key && polykms encrypt notes.txt --key local://app.key',
    )
    .action(async (file: string, flags: GenerateFlags) => {
      // Reserved namespaces (the cloud keyrings' provider ids) are refused by generateKeyFile.
      const name = flags.name ?? defaultKeyName(file);
      const bits = flags.bits ? parsePositiveInt(flags.bits, '--bits') : undefined;
      const generated =
        flags.type === 'aes'
          ? await generateKeyFile(file, {
              type: 'aes',
              namespace: flags.namespace,
              name,
              bits: bits as 128 | 192 | 256 | undefined,
            })
          : await generateKeyFile(file, {
              type: 'rsa',
              namespace: flags.namespace,
              name,
              modulusLength: bits as 2048 | 3072 | 4096 | undefined,
            });
      process.stderr.write(
        `created ${generated.type.toUpperCase()} key file ${printable(generated.path)} (namespace ` +
          `${printable(generated.namespace)}, name ${printable(generated.name)})\n`,
      );
      process.stdout.write(`local://${file}\n`);
    });
}
