import type { Command } from 'commander';
import { type Keyset, KeysetKeyring, openKeyset, readKeysetFile } from '@polykms/keyset';
import { CliError } from './cli-error.js';
import { decryptKeyring } from './config/keyrings.js';
import { collect, parsePositiveInt } from './options.js';

/** The flags that put a command's data under a keyset instead of `--key` recipients. */
export interface KeysetFlags {
  keyset?: string;
  unlock?: string[];
  keysetId?: string;
  minGeneration?: string;
}

/** Adds `--keyset FILE`, `--unlock URI` (repeatable), `--keyset-id ID` and `--min-generation N` to a command. */
export function addKeysetOptions(command: Command): Command {
  return command
    .option('--keyset <file>', 'wrap/unwrap data keys under this keyset (in place of --key); needs --unlock')
    .option('--unlock <uri>', 'a key that opens the --keyset file (repeatable: any one of them)', collect)
    .option('--keyset-id <id>', "refuse a --keyset file with another id (another dataset's keyset)")
    .option('--min-generation <n>', 'refuse a --keyset file older than this generation (a stale copy)');
}

/** An opened keyset and its keyring. Call `close()` when done: it zeroes the version keys. */
export interface KeysetFromOptions {
  readonly keyset: Keyset;
  readonly keyring: KeysetKeyring;
  close(): void;
}

function given(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}

/**
 * Checks the keyset flags without opening anything: true when the command was given `--keyset`
 * (with the `--unlock` it needs), false when it was given none of them. `otherKeyFlags` are the
 * flags the keyset replaces: giving both is refused, so a message never silently ends up under
 * something other than what was asked.
 */
export function keysetRequested(
  flags: KeysetFlags,
  otherKeyFlags: Readonly<Record<string, unknown>> = {},
): flags is KeysetFlags & { keyset: string; unlock: string[] } {
  if (flags.keyset === undefined) {
    const stray = Object.entries({
      '--unlock': flags.unlock,
      '--keyset-id': flags.keysetId,
      '--min-generation': flags.minGeneration,
    }).find(([, value]) => given(value));
    if (stray) throw new CliError(`${stray[0]} applies to a --keyset FILE; give --keyset too`);
    return false;
  }
  const replaced = Object.entries(otherKeyFlags).find(([, value]) => given(value));
  if (replaced) throw new CliError(`--keyset replaces ${replaced[0]}: give one or the other`);
  if (!flags.unlock?.length) {
    throw new CliError(
      '--keyset needs --unlock URI: a key that opens the keyset (`polykms keyset inspect FILE` lists them)',
    );
  }
  return true;
}

/**
 * Opens `--keyset FILE` with the `--unlock` keys (one KMS call), or returns undefined when the
 * command was given no `--keyset` (see `keysetRequested` for what is refused).
 */
export async function keysetFromOptions(
  flags: KeysetFlags,
  otherKeyFlags: Readonly<Record<string, unknown>> = {},
): Promise<KeysetFromOptions | undefined> {
  if (!keysetRequested(flags, otherKeyFlags)) return undefined;
  const minGeneration =
    flags.minGeneration === undefined ? undefined : parsePositiveInt(flags.minGeneration, '--min-generation');
  const unlock = await decryptKeyring(flags.unlock, undefined);
  const keyset = await openKeyset(await readKeysetFile(flags.keyset), {
    keyring: unlock,
    keysetId: flags.keysetId,
    minGeneration,
  });
  return { keyset, keyring: new KeysetKeyring(keyset), close: () => keyset.close() };
}
