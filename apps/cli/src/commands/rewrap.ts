import type { Command } from 'commander';
import { peekHeader } from '@polykms/envelope';
import { CliError } from '../cli-error.js';
import { decryptKeyring, encryptKeyring } from '../config/keyrings.js';
import { assertWritable } from '../io/atomic-output.js';
import { type InPlaceTarget, inPlaceTarget } from '../io/in-place.js';
import { describeAlreadyPresent, splitAddedKeys } from '../rewrap/already-recipients.js';
import { printable } from '../io/terminal-text.js';
import { collect } from '../options.js';
import { RecipientKeyrings } from '../recipient-keyrings.js';
import { recipientsOf } from '../recipients.js';
import { type Source, openSource } from '../io/stream-io.js';
import { checkPlan, rewrapPeeked } from '../rewrap-message.js';
import { STDIO, assertBinaryStdoutAllowed } from '../io/stdio.js';

interface RewrapFlags {
  addKey?: string[];
  removeKey?: string[];
  to?: string[];
  key?: string[];
  discovery?: string[];
  output?: string;
  force?: boolean;
  headerOnly?: boolean;
}

export function registerRewrap(program: Command): void {
  program
    .command('rewrap')
    .summary('add, remove or replace who can decrypt a message, by re-encrypting it')
    .description(
      'Changes the recipients of a message. By default the message is decrypted and encrypted again, ' +
        'streamed, with a new message id and a new data key, keeping its encryption context, suite and ' +
        'frame length; every frame is authenticated before its plaintext is used. The new data key is ' +
        'wrapped for every recipient kept: a cloud recipient is named in the message; a local one must ' +
        'be given with --key. A file output is decrypted with its new recipients before it replaces ' +
        'anything. Use --add-key and --remove-key, or --to to replace every recipient. The data key is ' +
        'opened with --key or --discovery (required: the header is not authenticated until then).\n\n' +
        '--header-only (expert) writes a new header over the same body instead: no body decryption, ' +
        'but the new header is authenticated with the same key and nonce as the old one, so anyone ' +
        'holding both versions (a backup, a versioned bucket) can recover the GHASH key and forge the ' +
        'message: truncate it, rewrite frames, change its context. It is therefore allowed only in ' +
        'place, never with -o, and only if every older copy is deleted. Signed messages (suite 0x0578) ' +
        'cannot be rewritten header-only.',
    )
    .argument('<file>', 'the message; - for stdin')
    .option('--add-key <uri>', 'a key to add as a recipient (repeatable)', collect)
    .option('--remove-key <uri>', 'a recipient to remove (repeatable)', collect)
    .option('--to <uri>', 'replace all recipients with these keys (repeatable)', collect)
    .option(
      '-k, --key <uri>',
      'a key allowed to open the message; a local recipient to keep must be given here too (repeatable)',
      collect,
    )
    .option(
      '--discovery <filter>',
      'open the data key with any key matching this filter (repeatable)',
      collect,
    )
    .option('-o, --output <file>', 'where to write; default: replace FILE in place (atomically)')
    .option('-f, --force', 'replace the --output file if it exists')
    .option(
      '--header-only',
      'expert: rewrite the header only, in place (unsafe if any older copy survives; see above)',
    )
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
      if (flags.headerOnly && (flags.output !== undefined || file === STDIO)) {
        // The original stays beside the output: two headers under one key and nonce, the attack itself.
        throw new CliError(
          '--header-only rewrites a file in place and cannot write elsewhere (-o, or stdin to stdout): ' +
            'the original would survive beside the new version, and two versions of one message let ' +
            'anyone who holds both forge it. Drop --header-only to re-encrypt, which is safe with -o.',
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
  const peeked = await peekHeader(source.stream);
  const { header } = peeked;
  const removed = flags.to
    ? ('all' as const)
    : await recipientsOf(flags.removeKey ?? [], { keyInParticular: '--remove-key' });
  let added = await recipientsOf(flags.to ?? flags.addKey ?? []);
  if (removed !== 'all') {
    // An --add-key that is already a recipient would be wrapped for twice: say so and skip it.
    const split = splitAddedKeys(header.encryptedDataKeys, added);
    for (const line of describeAlreadyPresent(split, removed.length)) {
      process.stderr.write(`polykms: ${line}\n`);
    }
    const nothingToDo = split.present.length > 0 && split.toAdd.length === 0 && removed.length === 0;
    // In place, "nothing to change" means nothing is written; a separate output still gets its copy.
    if (nothingToDo && target !== undefined) return;
    added = [...split.toAdd];
  }
  const adding = added.map((key) => key.uri);
  const openers = await recipientsOf(flags.key ?? []);
  const plan = {
    unwrapKeyring: await decryptKeyring(flags.key, flags.discovery),
    addKeyring: adding.length > 0 ? await encryptKeyring(adding, '--add-key') : undefined,
    added,
    removed,
    keyrings: new RecipientKeyrings([...added, ...openers]),
    method: flags.headerOnly ? ('header-only' as const) : ('re-encrypt' as const),
  };
  // Refuses a bad plan (a key to remove that is not a recipient, a name collision) before any KMS call.
  const kept = checkPlan(header, plan);
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
      `${flags.headerOnly ? 'rewrote the header of' : 're-encrypted'} ${name(file)} -> ${name(output)}: ` +
        `${kept} recipient(s) kept, ${adding.length} added\n`,
    );
  }
}
