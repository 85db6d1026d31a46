import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  DEFAULT_STREAM_MAX_FRAME_LENGTH,
  decrypt,
  decryptStream,
  isPolykmsError,
  parseHeader,
} from '@polykms/envelope';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { assertWritable } from '../io/atomic-output.js';
import { readHeaderBytes } from '../io/header-bytes.js';
import { openSource, streamToOutput } from '../io/stream-io.js';
import { decryptKeyring } from '../config/keyrings.js';
import { printable } from '../io/terminal-text.js';
import { addKeysetOptions, type KeysetFlags, keysetFromOptions } from '../keyset-options.js';
import { collect, parseContext, parsePositiveInt, parseSize } from '../options.js';
import { ENCRYPTED_SUFFIX } from './encrypt.js';
import { addWorkersOption, workersFor } from '../workers-flag.js';
import { STDIO, assertStdinIsNotTerminal, writeStdout } from '../io/stdio.js';
import { decryptTreeCommand } from '../fleet/decrypt-tree-command.js';
import { addTreeOptions, type TreeFlags } from '../fleet/tree-command.js';

async function isSigned(file: string): Promise<boolean> {
  try {
    return parseHeader((await readHeaderBytes(file)).bytes).suite.signature !== undefined;
  } catch {
    return false; // the streaming decrypt reports what is wrong with the header
  }
}

interface DecryptFlags extends KeysetFlags, TreeFlags {
  key?: string[];
  discovery?: string[];
  expectContext?: string[];
  output?: string;
  force?: boolean;
  allowV1?: boolean;
  maxEncryptedDataKeys?: string;
  maxFrameLength?: string;
  maxFrames?: string;
  workers?: string;
}

export function registerDecrypt(program: Command): void {
  const command = program
    .command('decrypt')
    .summary('decrypt a message with any one of its keys')
    .description(
      'Decrypts FILE (or stdin). Say which keys may open it: --key for specific keys (tried in order), ' +
        '--discovery for any key of a provider that passes a filter. Nothing is written unless the whole ' +
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
    .option(
      '--max-frame-length <bytes>',
      'refuse messages whose frames are longer, e.g. 1M (default 64M: a frame is held whole until authenticated); ' +
        'also bounds a non-framed (v1) body, which is one block',
    )
    .option(
      '--max-frames <n>',
      'refuse messages with more frames (default 16777216): each costs CPU whatever its length, so this bounds what a message of tiny frames costs',
    );
  addWorkersOption(command).addHelpText(
    'after',
    '\nExamples:\n' +
      '  polykms decrypt report.pdf.pkms --key local://app.key            # writes report.pdf\n' +
      '  polykms decrypt data.pkms --discovery aws-kms://aws/111122223333 -e tenant=acme -o -\n' +
      '  polykms decrypt orders.csv.pkms --keyset data.keyset --unlock gcp-kms://projects/…/cryptoKeys/k\n' +
      '  polykms decrypt -r ./exports --key local://app.key --max-failures 10   # every NAME.pkms -> NAME',
  );
  addTreeOptions(command);
  addKeysetOptions(command).action(async (file: string, flags: DecryptFlags) => {
    if (file === STDIO) assertStdinIsNotTerminal('decrypt');
    const output =
      flags.output ??
      (file !== STDIO && file.endsWith(ENCRYPTED_SUFFIX) ? file.slice(0, -ENCRYPTED_SUFFIX.length) : STDIO);
    const encryptionContext = parseContext(flags.expectContext, '--expect-context');
    const maxEncryptedDataKeys = flags.maxEncryptedDataKeys
      ? parsePositiveInt(flags.maxEncryptedDataKeys, '--max-encrypted-data-keys')
      : undefined;
    const maxFrameLength = flags.maxFrameLength
      ? parseSize(flags.maxFrameLength, '--max-frame-length')
      : undefined;
    if (output !== STDIO && !flags.recursive) await assertWritable(output, flags.force === true);
    const underKeyset = await keysetFromOptions(flags, {
      '--key': flags.key,
      '--discovery': flags.discovery,
    });
    try {
      const keyring = underKeyset?.keyring ?? (await decryptKeyring(flags.key, flags.discovery));
      const options = {
        keyring,
        encryptionContext,
        maxEncryptedDataKeys,
        maxFrames: flags.maxFrames ? parsePositiveInt(flags.maxFrames, '--max-frames') : undefined,
        commitmentPolicy: flags.allowV1
          ? ('require-encrypt-allow-decrypt' as const)
          : ('require-encrypt-require-decrypt' as const),
      };
      // Awaited here, so that the keyset is closed only once the whole tree is done.
      if (flags.recursive) return await decryptTreeCommand(file, flags, { ...options, maxFrameLength });
      const source = await openSource(file);
      const workers = workersFor(flags.workers, source.size);
      if (output === STDIO && file !== STDIO && (await isSigned(file))) {
        source.stream.destroy();
        // A signature is checked only at the end, so a signed message goes to stdout only whole.
        const result = await decrypt(await readFile(file), { ...options, maxFrameLength, workers });
        try {
          await writeStdout(result.plaintext);
        } finally {
          result.plaintext.fill(0);
        }
      } else {
        // Into a file, frames may be released before the signature is checked: the file is
        // renamed into place only after it was, and deleted otherwise.
        const stream = decryptStream({
          ...options,
          maxFrameLength,
          workers,
          signedMessages: output === STDIO ? 'refuse' : 'release-before-signature',
        });
        try {
          await streamToOutput(source, stream, output, 'decrypting', {
            overwrite: flags.force === true,
          });
        } catch (error) {
          if (isPolykmsError(error, 'ERR_UNSUPPORTED') && output === STDIO) {
            throw new CliError(
              'a signed message from stdin cannot be checked before its end: decrypt it into a file with --output',
            );
          }
          if (
            isPolykmsError(error, 'ERR_LIMIT_EXCEEDED') &&
            stream.info?.header.contentType === 'non-framed'
          ) {
            // The library's message names its own option; say it in the CLI's terms.
            throw new CliError(
              'this legacy (v1) message is non-framed: its body is one block, held in memory whole until it ' +
                `is authenticated, and longer than --max-frame-length (${maxFrameLength ?? DEFAULT_STREAM_MAX_FRAME_LENGTH} bytes). ` +
                'To read it, pass a --max-frame-length at least the size of the message, if this machine can hold that much.',
              ExitCode.MalformedInput,
            );
          }
          throw error;
        }
      }
    } finally {
      underKeyset?.close();
    }
    if (output !== STDIO)
      process.stderr.write(
        `decrypted ${file === STDIO ? 'stdin' : printable(file)} -> ${printable(output)}\n`,
      );
  });
}
