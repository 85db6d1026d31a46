import type { Command } from 'commander';
import { type Keyset, KeysetKeyring, openKeyset, readKeysetFile } from '@polykms/keyset';
import { CliError } from './cli-error.js';
import { decryptKeyring } from './config/keyrings.js';
import { collect } from './options.js';

/** The flags that put a command's data under a keyset instead of `--key` recipients. */
export interface KeysetFlags {
  keyset?: string;
  unlock?: string[];
}

/** Adds `--keyset FILE` and `--unlock URI` (repeatable) to a command. */
export function addKeysetOptions(command: Command): Command {
  return command
    .option('--keyset <file>', 'wrap/unwrap data keys under this keyset (in place of --key); needs --unlock')
    .option('--unlock <uri>', 'a key that opens the --keyset file (repeatable: any one of them)', collect);
}

/** An opened keyset and its keyring. Call `close()` when done: it zeroes the version keys. */
export interface KeysetFromOptions {
  readonly keyset: Keyset;
  readonly keyring: KeysetKeyring;
  close(): void;
}

/**
 * Opens `--keyset FILE` with the `--unlock` keys (one KMS call), or returns undefined when the
 * command was given no `--keyset`. `otherKeyFlags` are the flags the keyset replaces: giving both
 * is refused, so a message never silently ends up under something other than what was asked.
 */
export async function keysetFromOptions(
  flags: KeysetFlags,
  otherKeyFlags: Readonly<Record<string, unknown>> = {},
): Promise<KeysetFromOptions | undefined> {
  if (flags.keyset === undefined) {
    if (flags.unlock?.length)
      throw new CliError('--unlock names the key that opens a --keyset FILE; give --keyset too');
    return undefined;
  }
  for (const [flag, value] of Object.entries(otherKeyFlags)) {
    if (Array.isArray(value) ? value.length > 0 : value !== undefined) {
      throw new CliError(`--keyset replaces ${flag}: give one or the other`);
    }
  }
  if (!flags.unlock?.length) {
    throw new CliError(
      '--keyset needs --unlock URI: a key that opens the keyset (`polykms keyset inspect FILE` lists them)',
    );
  }
  const unlock = await decryptKeyring(flags.unlock, undefined);
  const keyset = await openKeyset(await readKeysetFile(flags.keyset), { keyring: unlock });
  return { keyset, keyring: new KeysetKeyring(keyset), close: () => keyset.close() };
}
