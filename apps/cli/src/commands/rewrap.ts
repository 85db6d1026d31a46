import type { Command } from 'commander';
import { peekHeader } from '@polykms/envelope';
import { CliError } from '../cli-error.js';
import { decryptKeyring, encryptKeyring } from '../config/keyrings.js';
import { assertWritable } from '../io/atomic-output.js';
import { type InPlaceTarget, inPlaceTarget } from '../io/in-place.js';
import { printable } from '../io/terminal-text.js';
import { collect } from '../options.js';
import { keptEncryptedDataKeys, recipientsOf } from '../recipients.js';
import { type Source, openSource } from '../io/stream-io.js';
import { rewrapPeeked } from '../rewrap-message.js';
import { STDIO, assertBinaryStdoutAllowed } from '../io/stdio.js';

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
        '--remove-key, or --to to replace every recipient. The data key is opened with --key or ' +
        '--discovery (required: the header is not authenticated until then). Signed messages ' +
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
        '  polykms rewrap orders.pkms --key aws-kms://arn:aws:kms:us-east-1:111122223333:key/… \\\n' +
        '                             --add-key azure-kv://myvault.vault.azure.net/keys/app \\\n' +
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
      if (!flags.key?.length && !flags.discovery?.length) {
        // Never the keys the header names: it is not authenticated before the data key is open,
        // and would choose which KMS hosts and accounts to call.
        throw new CliError(
          'say which key opens the message: --key URI (one of the recipients that `polykms inspect` ' +
            'lists) or --discovery FILTER',
        );
      }
      const inPlace = flags.output === undefined && file !== STDIO;
      // In place, the file itself is rewritten: a symbolic link's target, never a file with other links.
      const target = inPlace ? await inPlaceTarget(file) : undefined;
      const output = target?.path ?? flags.output ?? STDIO;
      if (output === STDIO) assertBinaryStdoutAllowed('an encrypted message');
      if (!inPlace && output !== STDIO) await assertWritable(output, flags.force === true);

      // The message is streamed, file or stdin: only its header is read before the plan is made.
      const source = await openSource(target?.path ?? file);
      try {
        await rewrapSource(file, source, output, target, flags);
      } finally {
        source.stream.destroy();
      }
    });
}

async function rewrapSource(
  file: string,
  source: Source,
  output: string,
  target: InPlaceTarget | undefined,
  flags: RewrapFlags,
): Promise<void> {
  const adding = flags.to ?? flags.addKey ?? [];
  const peeked = await peekHeader(source.stream);
  const { header } = peeked;
  const removed = flags.to
    ? ('all' as const)
    : await recipientsOf(flags.removeKey ?? [], { keyInParticular: '--remove-key' });
  const added = await recipientsOf(adding);
  if (removed !== 'all') {
    for (const recipient of removed) {
      if (!header.encryptedDataKeys.some((edk) => recipient.matches(edk))) {
        throw new CliError(
          `--remove-key ${printable(recipient.uri)} is not a recipient of this message: nothing to ` +
            'remove (`polykms inspect FILE` lists the recipients)',
        );
      }
    }
  }
  // Throws when an added local key shares its name with a recipient that is not being removed.
  const kept = keptEncryptedDataKeys(header.encryptedDataKeys, added, removed).length;
  if (kept + adding.length === 0) {
    throw new CliError('that would leave the message with no recipient: nobody could ever decrypt it');
  }
  const plan = {
    unwrapKeyring: await decryptKeyring(flags.key, flags.discovery),
    addKeyring: adding.length > 0 ? await encryptKeyring(adding, '--add-key') : undefined,
    added,
    removed,
  };
  const missing = await rewrapPeeked(peeked, output, plan, source.size, {
    replacing: target,
    overwrite: flags.force === true || target !== undefined,
  });
  for (const failure of missing) {
    process.stderr.write(
      `polykms: warning: ${printable(failure.recipient)} did not wrap the data key: ${printable(failure.error.message)}\n`,
    );
  }
  const name = (path: string) => (path === STDIO ? 'stdin' : printable(path));
  if (output !== STDIO) {
    process.stderr.write(
      `rewrapped ${name(file)} -> ${name(output)}: ${kept} recipient(s) kept, ${adding.length} added\n`,
    );
  }
  if (!target && file !== STDIO) {
    process.stderr.write(
      `polykms: warning: the original ${name(file)} still exists. Delete it and any copies: old and new ` +
        'headers together let an attacker forge this message.\n',
    );
  }
}
