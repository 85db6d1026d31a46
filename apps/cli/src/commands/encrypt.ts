import { type Command, Option } from 'commander';
import { type RecipientFailure, encryptStream } from '@polykms/envelope';
import { assertWritable } from '../io/atomic-output.js';
import { redactCredentials } from '../io/redact.js';
import { printable } from '../io/terminal-text.js';
import { openSource, streamToOutput } from '../io/stream-io.js';
import { addKeysetOptions, type KeysetFlags } from '../keyset-options.js';
import { ENCRYPTED_SUFFIX } from '../io/encrypted-suffix.js';
import { collect, parseContext, parseSize, parseSuite } from '../options.js';
import { addWorkersOption, workersFor } from '../workers-flag.js';
import { STDIO, assertBinaryStdoutAllowed } from '../io/stdio.js';
import { encryptTreeCommand } from '../fleet/encrypt-tree-command.js';
import { addTreeOptions, type TreeFlags } from '../fleet/tree-command.js';
import { openEncryptKeyring } from '../policy/encrypt-keyring.js';
import { encryptSettingsFor } from '../policy/encrypt-settings.js';

export { ENCRYPTED_SUFFIX } from '../io/encrypted-suffix.js';

interface EncryptFlags extends KeysetFlags, TreeFlags {
  key?: string[];
  context?: string[];
  suite?: string;
  frameLength?: string;
  output?: string;
  force?: boolean;
  workers?: string;
}

export function registerEncrypt(program: Command): void {
  const command = program
    .command('encrypt')
    .summary('encrypt a file (or stdin) for one or more keys')
    .description(
      'Encrypts FILE (or stdin when FILE is - or absent) into one message that each --key can decrypt on its own. ' +
        'The first --key creates the data key; every --key wraps it.',
    )
    .argument('[file]', 'the file to encrypt; - or absent for stdin', STDIO)
    .option('-k, --key <uri>', 'a key that can decrypt the message (repeatable)', collect)
    .option(
      '-c, --context <key=value>',
      'an encryption-context pair bound to the message (repeatable)',
      collect,
    )
    .option('-o, --output <file>', `where to write; default FILE${ENCRYPTED_SUFFIX}, or stdout for stdin`)
    .addOption(
      new Option(
        '--suite <suite>',
        'committed (0x0478) or committed-signed (0x0578, cannot be rewrapped --header-only)',
      ).default('committed'),
    )
    .option('--frame-length <bytes>', 'plaintext bytes per frame, e.g. 64K (default 64K)')
    .option('-f, --force', 'replace the output file if it exists');
  addWorkersOption(command).addHelpText(
    'after',
    '\nExamples:\n' +
      '  polykms encrypt report.pdf --key local://app.key                 # writes report.pdf.pkms\n' +
      '  polykms encrypt report.pdf --key aws-kms://arn:aws:kms:… --key gcp-kms://projects/…/cryptoKeys/k\n' +
      '  cat data.json | polykms encrypt --key local://app.key -c tenant=acme > data.json.pkms\n' +
      '  polykms encrypt orders.csv --keyset data.keyset --unlock aws-kms://arn:aws:kms:…   # no KMS call per file\n' +
      '  polykms encrypt secrets.env                 # keys and context from .polykms.yaml (polykms config show)\n' +
      '  polykms encrypt -r ./exports --key local://app.key --json   # every file -> NAME.pkms beside it',
  );
  addTreeOptions(command);
  addKeysetOptions(command).action(async (file: string, flags: EncryptFlags) => {
    if (flags.recursive) {
      return encryptTreeCommand(file, flags, {
        context: parseContext(flags.context),
        suite: parseSuite(flags.suite ?? 'committed'),
        frameLength: flags.frameLength ? parseSize(flags.frameLength, '--frame-length') : undefined,
      });
    }
    const output = flags.output ?? (file === STDIO ? STDIO : `${file}${ENCRYPTED_SUFFIX}`);
    if (output === STDIO) assertBinaryStdoutAllowed('an encrypted message');
    const encryptionContext = parseContext(flags.context);
    const suite = parseSuite(flags.suite ?? 'committed');
    const frameLength = flags.frameLength ? parseSize(flags.frameLength, '--frame-length') : undefined;
    if (output !== STDIO) await assertWritable(output, flags.force === true);
    const settings = await encryptSettingsFor(file, { ...flags, context: encryptionContext });
    const underKeyset = await openEncryptKeyring(settings, flags);
    try {
      const keyring = underKeyset.keyring;
      const source = await openSource(file);
      const stream = encryptStream({
        keyring,
        encryptionContext: settings.context,
        suite,
        frameLength,
        plaintextLength: source.size,
        workers: workersFor(flags.workers, source.size),
      });
      await streamToOutput(source, stream, output, 'encrypting', { overwrite: flags.force === true });
      warnMissing(stream.missingRecipients);
    } finally {
      underKeyset.close();
    }
    if (output !== STDIO)
      process.stderr.write(
        `encrypted ${file === STDIO ? 'stdin' : printable(file)} -> ${printable(output)}\n`,
      );
  });
}

function warnMissing(missing: readonly RecipientFailure[]): void {
  for (const { recipient, error } of missing) {
    const warning = `${recipient} did not wrap the data key: ${error.message}`;
    process.stderr.write(`polykms: warning: ${printable(redactCredentials(warning))}\n`);
  }
}
