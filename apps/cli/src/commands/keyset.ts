import { lstat } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseHeader } from '@polykms/envelope';
import {
  type KeysetInfo,
  createKeyset,
  inspectKeyset,
  readKeysetFile,
  retireKeysetVersion,
  rewrapKeyset,
  rotateKeyset,
  writeKeysetFile,
} from '@polykms/keyset';
import { CliError } from '../cli-error.js';
import { decryptKeyring, encryptKeyring } from '../config/keyrings.js';
import { printable } from '../io/terminal-text.js';
import { nextKeysetRecipients } from '../keyset-recipients.js';
import { collect, parsePositiveInt } from '../options.js';
import { ExitCode } from '../exit-codes.js';
import { describeRecipient, formatRecipient } from './inspect.js';

interface ChangeFlags {
  keysetId?: string;
  minGeneration?: string;
  unlock?: string[];
  addKey?: string[];
  removeKey?: string[];
}

function needUnlock(flags: ChangeFlags): string[] {
  if (!flags.unlock?.length) {
    throw new CliError(
      'name the key that opens the keyset: --unlock URI (`polykms keyset inspect FILE` lists them)',
    );
  }
  return flags.unlock;
}

/** Opens FILE, makes the change for the recipients the flags leave, writes generation + 1 in place. */
async function changeKeyset(
  file: string,
  flags: ChangeFlags,
  change: typeof rewrapKeyset,
  verb: string,
): Promise<void> {
  const unlockUris = needUnlock(flags);
  const current = await readKeysetFile(file);
  const recipients = await nextKeysetRecipients(
    parseHeader(current).encryptedDataKeys,
    [...unlockUris, ...(flags.addKey ?? [])],
    flags.addKey ?? [],
    flags.removeKey ?? [],
  );
  const next = await change(current, {
    unlock: await decryptKeyring(unlockUris, undefined),
    keyring: await encryptKeyring(recipients),
    keysetId: flags.keysetId,
    minGeneration:
      flags.minGeneration === undefined
        ? undefined
        : parsePositiveInt(flags.minGeneration, '--min-generation'),
  });
  await writeKeysetFile(file, next);
  const info = inspectKeyset(next);
  process.stderr.write(
    `${verb} keyset ${info.keysetId}: generation ${info.generation}, primary version ${primaryOf(info)}, ` +
      `${recipients.length} recipient${recipients.length === 1 ? '' : 's'}\n`,
  );
}

/** `keyset create` never replaces anything, and has no --force or --output to offer instead. */
async function assertNoKeysetFile(file: string): Promise<void> {
  if ((await lstat(file).catch(() => undefined)) === undefined) return;
  throw new CliError(
    `'${printable(file)}' already exists: a keyset file is never overwritten (that would orphan the data ` +
      'under it). Choose another file name, or change the keyset there with `keyset rotate`/`keyset rewrap`',
    ExitCode.Io,
  );
}

function primaryOf(info: KeysetInfo): number | undefined {
  return info.versions.find((v) => v.state === 'primary')?.version;
}

function formatKeysetInfo(file: string, info: KeysetInfo): string {
  const recipients = info.recipients.map((r) => `  - ${formatRecipient(describeRecipient(r))}`);
  return `${[
    `keyset       ${printable(file)}`,
    `id           ${info.keysetId}`,
    `generation   ${info.generation}`,
    `versions     ${info.versions.map((v) => `${v.version} (${v.state})`).join(', ')}`,
    `recipients   ${info.recipients.length}`,
    ...recipients,
    `message id   ${info.messageId}`,
    'note         NOT authenticated: read from the header without a key, so anyone who can write the',
    '             file can write these. Opening the keyset (--unlock) checks them; where the file may',
    '             be replaced, pin the id (--keyset-id) and refuse old copies (--min-generation).',
  ].join('\n')}\n`;
}

export function registerKeyset(program: Command): void {
  const keyset = program
    .command('keyset')
    .summary('create and manage keysets: dataset keys that wrap data keys locally, one KMS call per process')
    .description(
      'A keyset is a small file of versioned 256-bit keys, encrypted for your KMS keys (--key). ' +
        'Data encrypted with --keyset FILE --unlock URI is wrapped under the keyset locally: moving it ' +
        'to another cloud is one `keyset rewrap`, whatever the amount of data.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  polykms keyset create data.keyset --key aws-kms://arn:aws:kms:…\n' +
        '  polykms encrypt orders.csv --keyset data.keyset --unlock aws-kms://arn:aws:kms:…',
    );

  keyset
    .command('create')
    .description('Creates a new keyset FILE (generation 1, one version) that each --key can open.')
    .argument('<file>', 'the keyset file to create (never overwritten)')
    .option('-k, --key <uri>', 'a key that can open the keyset (repeatable)', collect)
    .addHelpText(
      'after',
      '\nExample:\n  polykms keyset create data.keyset --key aws-kms://arn:aws:kms:… --key gcp-kms://projects/…/cryptoKeys/k',
    )
    .action(async (file: string, flags: { key?: string[] }) => {
      await assertNoKeysetFile(file); // before any KMS call; writeKeysetFile checks again under its lock
      const bytes = await createKeyset({ keyring: await encryptKeyring(flags.key) });
      await writeKeysetFile(file, bytes);
      process.stderr.write(`created keyset ${inspectKeyset(bytes).keysetId} -> ${printable(file)}\n`);
    });

  keyset
    .command('inspect')
    .description(
      "Shows a keyset's id, generation, versions and recipients. Needs no key; nothing shown is authenticated.",
    )
    .argument('<file>', 'the keyset file')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExample:\n  polykms keyset inspect data.keyset --json')
    .action(async (file: string, flags: { json?: boolean }) => {
      const info = inspectKeyset(await readKeysetFile(file));
      const report = {
        file,
        ...info,
        recipients: info.recipients.map(describeRecipient),
        authenticated: false,
      };
      process.stdout.write(
        flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatKeysetInfo(file, info),
      );
    });

  keyset
    .command('rewrap')
    .description(
      'Changes who can open the keyset: opens it with --unlock, then writes it again for its recipients ' +
        'plus --add-key minus --remove-key. No data encrypted under the keyset is touched. A removed key ' +
        'still opens old copies of the file: see `docs/threat-model.md`.',
    )
    .argument('<file>', 'the keyset file, replaced atomically')
    .option('--unlock <uri>', 'a key that opens the keyset now (repeatable)', collect)
    .option('--keyset-id <id>', "refuse the file if it holds another keyset (another dataset's)")
    .option('--min-generation <n>', 'refuse the file if it is older than this generation (a stale copy)')
    .option('--add-key <uri>', 'a key to add as a recipient (repeatable)', collect)
    .option('--remove-key <uri>', 'a recipient to drop (repeatable)', collect)
    .addHelpText(
      'after',
      '\nExample:\n  polykms keyset rewrap data.keyset --unlock gcp-kms://projects/…/cryptoKeys/k \\\n' +
        '      --add-key azure-kv://myvault.vault.azure.net/keys/app --remove-key aws-kms://arn:aws:kms:…',
    )
    .action(async (file: string, flags: ChangeFlags) => {
      if (!flags.addKey?.length && !flags.removeKey?.length) {
        throw new CliError('say what changes: --add-key URI and/or --remove-key URI');
      }
      await changeKeyset(file, flags, rewrapKeyset, 'rewrapped');
    });

  keyset
    .command('rotate')
    .description(
      'Adds a new version and makes it the primary: new data keys are wrapped under it, and every older ' +
        'version still decrypts. Revokes nothing by itself (see `docs/threat-model.md`).',
    )
    .argument('<file>', 'the keyset file, replaced atomically')
    .option('--unlock <uri>', 'a key that opens the keyset (repeatable)', collect)
    .option('--keyset-id <id>', "refuse the file if it holds another keyset (another dataset's)")
    .option('--min-generation <n>', 'refuse the file if it is older than this generation (a stale copy)')
    .addHelpText('after', '\nExample:\n  polykms keyset rotate data.keyset --unlock aws-kms://arn:aws:kms:…')
    .action(async (file: string, flags: ChangeFlags) => {
      await changeKeyset(file, flags, rotateKeyset, 'rotated');
    });

  keyset
    .command('retire')
    .description(
      'Marks a version retired: it still decrypts what it wrapped, and says that data under it is due ' +
        'for re-encryption (`polykms migrate DIR --keyset FILE` moves it to the primary). The primary ' +
        'cannot be retired: rotate first.',
    )
    .argument('<file>', 'the keyset file, replaced atomically')
    .argument('<version>', 'the version to retire (`polykms keyset inspect FILE` lists them)')
    .option('--unlock <uri>', 'a key that opens the keyset (repeatable)', collect)
    .option('--keyset-id <id>', "refuse the file if it holds another keyset (another dataset's)")
    .option('--min-generation <n>', 'refuse the file if it is older than this generation (a stale copy)')
    .addHelpText(
      'after',
      '\nExample:\n  polykms keyset retire data.keyset 1 --unlock aws-kms://arn:aws:kms:…',
    )
    .action(async (file: string, versionText: string, flags: ChangeFlags) => {
      const version = parsePositiveInt(versionText, 'VERSION');
      await changeKeyset(
        file,
        flags,
        (bytes, options) => retireKeysetVersion(bytes, version, options),
        `retired version ${version} of`,
      );
    });
}
