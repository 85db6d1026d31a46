import type { Command } from 'commander';
import { decrypt } from '@polykms/envelope';
import { decryptKeyring } from '../config/keyrings.js';
import { STDIO, readInput } from '../io/input.js';
import { writeOutput } from '../io/output.js';
import { collect, parseContext, parsePositiveInt } from '../options.js';
import { ENCRYPTED_SUFFIX } from './encrypt.js';

interface DecryptFlags {
  key?: string[];
  discovery?: string[];
  expectContext?: string[];
  output?: string;
  force?: boolean;
  allowV1?: boolean;
  maxEncryptedDataKeys?: string;
}

export function registerDecrypt(program: Command): void {
  program
    .command('decrypt')
    .summary('decrypt a message with any one of its keys')
    .description(
      'Decrypts FILE (or stdin). Say which keys may open it: --key for specific keys (tried in order),\n' +
        '--discovery for any key of a provider that passes a filter. Nothing is written unless the whole\n' +
        'message is authentic; a file output appears complete or not at all.',
    )
    .argument('[file]', 'the message; - or absent for stdin', STDIO)
    .option('-k, --key <uri>', 'a key allowed to decrypt (repeatable)', collect)
    .option(
      '--discovery <filter>',
      'allow any key matching: aws-kms://<partition>/<account>, gcp-kms://projects/<p>[/locations/<l>], ' +
        'azure-kv://<vault-host> (repeatable)',
      collect,
    )
    .option(
      '-e, --expect-context <key=value>',
      'fail unless the message is bound to this pair (repeatable)',
      collect,
    )
    .option('-o, --output <file>', `where to write; default FILE without ${ENCRYPTED_SUFFIX}, else stdout`)
    .option('-f, --force', 'replace the output file if it exists')
    .option('--allow-v1', 'also read non-committing (v1) messages written by older ESDKs')
    .option('--max-encrypted-data-keys <n>', 'refuse messages with more wrapped keys than this (default 32)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  polykms decrypt report.pdf.pkms --key local://app.key            # writes report.pdf\n' +
        '  polykms decrypt data.pkms --discovery aws-kms://aws/111122223333 -e tenant=acme -o -',
    )
    .action(async (file: string, flags: DecryptFlags) => {
      const output =
        flags.output ??
        (file !== STDIO && file.endsWith(ENCRYPTED_SUFFIX) ? file.slice(0, -ENCRYPTED_SUFFIX.length) : STDIO);
      const encryptionContext = parseContext(flags.expectContext, '--expect-context');
      const maxEncryptedDataKeys = flags.maxEncryptedDataKeys
        ? parsePositiveInt(flags.maxEncryptedDataKeys, '--max-encrypted-data-keys')
        : undefined;
      const keyring = await decryptKeyring(flags.key, flags.discovery);
      const message = await readInput(file);
      const result = await decrypt(message, {
        keyring,
        encryptionContext,
        maxEncryptedDataKeys,
        commitmentPolicy: flags.allowV1 ? 'require-encrypt-allow-decrypt' : 'require-encrypt-require-decrypt',
      });
      try {
        await writeOutput(output, result.plaintext, flags.force === true);
      } finally {
        result.plaintext.fill(0);
      }
      if (output !== STDIO)
        process.stderr.write(`decrypted ${file === STDIO ? 'stdin' : file} -> ${output}\n`);
    });
}
