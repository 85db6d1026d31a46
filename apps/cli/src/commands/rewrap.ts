import type { Command } from 'commander';
import { type EncryptedDataKey, peekHeader } from '@polykms/envelope';
import { keyUriOfEncryptedDataKey } from '@polykms/key-uri';
import { CliError } from '../cli-error.js';
import { decryptKeyring, encryptKeyring } from '../config/keyrings.js';
import { STDIO } from '../io/input.js';
import { assertBinaryStdoutAllowed } from '../io/output.js';
import { assertWritable } from '../io/atomic-output.js';
import { collect } from '../options.js';
import { matchesAny, recipientsOf } from '../recipients.js';
import { type Source, openSource } from '../io/stream-io.js';
import { rewrapPeeked } from '../rewrap-message.js';

interface RewrapFlags {
  addKey?: string[];
  removeKey?: string[];
  to?: string[];
  key?: string[];
  discovery?: string[];
  output?: string;
  force?: boolean;
}

export function registerRewrap(program: Command): void {
  program
    .command('rewrap')
    .summary('add or replace who can decrypt a message, without touching its body')
    .description(
      'Changes the recipients (wrapped data keys) of a message: the data key is opened once and ' +
        'wrapped for the new keys; the encrypted body is copied byte for byte. Use --add-key and ' +
        '--remove-key, or --to to replace every recipient. The data key is opened with --key / ' +
        '--discovery when given, else with the cloud keys the header names. Signed messages ' +
        '(suite 0x0578) cannot be rewrapped. The new header is authenticated with the same key and ' +
        'nonce as the old one, so old and new copies must not both survive: anyone holding both ' +
        'could forge the message. Rewrap in place (the default) and delete backups of the original, ' +
        'or decrypt and encrypt again.',
    )
    .argument('<file>', 'the message; - for stdin')
    .option('--add-key <uri>', 'a key to add as a recipient (repeatable)', collect)
    .option('--remove-key <uri>', 'a recipient to remove (repeatable)', collect)
    .option('--to <uri>', 'replace all recipients with these keys (repeatable)', collect)
    .option('-k, --key <uri>', 'a key allowed to open the data key (repeatable)', collect)
    .option(
      '--discovery <filter>',
      'open the data key with any key matching this filter (repeatable)',
      collect,
    )
    .option('-o, --output <file>', 'where to write; default: replace FILE in place (atomically)')
    .option('-f, --force', 'replace the --output file if it exists')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  polykms rewrap orders.pkms --add-key azure-kv://myvault.vault.azure.net/keys/app \\\n' +
        '                             --remove-key aws-kms://arn:aws:kms:us-east-1:111122223333:key/…\n' +
        '  polykms rewrap orders.pkms --key local://old.key --to local://new.key',
    )
    .action(async (file: string, flags: RewrapFlags) => {
      const adding = flags.to ?? flags.addKey ?? [];
      if (flags.to && (flags.addKey || flags.removeKey)) {
        throw new CliError('--to replaces every recipient: use it alone, or --add-key / --remove-key');
      }
      if (adding.length === 0 && !flags.removeKey?.length) {
        throw new CliError('say what to change: --add-key, --remove-key or --to');
      }
      const inPlace = flags.output === undefined;
      const output = flags.output ?? file;
      if (output === STDIO) assertBinaryStdoutAllowed('an encrypted message');
      if (!inPlace && output !== STDIO) await assertWritable(output, flags.force === true);

      // The message is streamed, file or stdin: only its header is read before the plan is made.
      const source = await openSource(file);
      try {
        await rewrapSource(file, source, output, inPlace, flags);
      } finally {
        source.stream.destroy();
      }
    });
}

async function rewrapSource(
  file: string,
  source: Source,
  output: string,
  inPlace: boolean,
  flags: RewrapFlags,
): Promise<void> {
  const adding = flags.to ?? flags.addKey ?? [];
  const peeked = await peekHeader(source.stream);
  const { header } = peeked;
  const removed = await recipientsOf(flags.removeKey ?? []);
  const added = await recipientsOf(adding);
  const keep = flags.to
    ? () => false
    : (edk: EncryptedDataKey) => !matchesAny(removed, edk) && !matchesAny(added, edk);
  const openers =
    flags.key || flags.discovery
      ? { keys: flags.key, discovery: flags.discovery }
      : {
          keys: header.encryptedDataKeys
            .map((edk) =>
              keyUriOfEncryptedDataKey(edk.providerId, Buffer.from(edk.providerInfo).toString('utf8')),
            )
            .filter((uri): uri is string => uri !== undefined),
          discovery: undefined,
        };
  if (!openers.keys?.length && !openers.discovery?.length) {
    throw new CliError(
      'this message names no cloud key: say which key opens it with --key (e.g. a local:// key)',
    );
  }
  const kept = header.encryptedDataKeys.filter(keep).length;
  if (kept + adding.length === 0) {
    throw new CliError('that would leave the message with no recipient: nobody could ever decrypt it');
  }
  const plan = {
    unwrapKeyring: await decryptKeyring(openers.keys, openers.discovery),
    addKeyring: adding.length > 0 ? await encryptKeyring(adding, '--add-key') : undefined,
    keep,
  };
  const missing = await rewrapPeeked(peeked, output, plan, source.size);
  for (const failure of missing) {
    process.stderr.write(
      `polykms: warning: ${failure.recipient} did not wrap the data key: ${failure.error.message}\n`,
    );
  }
  if (output !== STDIO) {
    process.stderr.write(
      `rewrapped ${file === STDIO ? 'stdin' : file} -> ${output}: ${kept} recipient(s) kept, ${adding.length} added\n`,
    );
  }
  if (!inPlace && file !== STDIO) {
    process.stderr.write(
      `polykms: warning: the original ${file} still exists. Delete it and any copies: old and new ` +
        'headers together let an attacker forge this message.\n',
    );
  }
}
