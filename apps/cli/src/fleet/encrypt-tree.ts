import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Keyring, encryptStream, type SuiteId } from '@polykms/envelope';
import { ENCRYPTED_SUFFIX } from '../io/encrypted-suffix.js';
import type { Source } from '../io/stream-io.js';
import type { KeysetFlags } from '../keyset-options.js';
import { type EncryptKeyring, openEncryptKeyring } from '../policy/encrypt-keyring.js';
import { type EncryptSettings, encryptSettingsFor } from '../policy/encrypt-settings.js';
import { runTree, type TreeRun, type TreeWorkOptions } from './run-tree.js';
import { transformTreeFile } from './tree-source.js';

export const ENCRYPT_TREE_STATES = ['encrypted', 'already-encrypted', 'not-applicable'] as const;
export type EncryptTreeState = (typeof ENCRYPT_TREE_STATES)[number];

export interface EncryptTreeOptions extends TreeWorkOptions<EncryptTreeState> {
  /** Explicit `--key`s or `--keyset` (and its flags); without them each file's policy rule decides. */
  readonly keyFlags: KeysetFlags & { readonly key?: readonly string[] | undefined };
  readonly context: Readonly<Record<string, string>>;
  readonly suite: SuiteId;
  readonly frameLength: number | undefined;
}

/**
 * One keyring per distinct keys or keyset, built (a keyset opened, with one KMS call) once and
 * shared by every file that uses it; `close` zeroes the keysets' keys at the end.
 */
function keyringCache(flags: EncryptTreeOptions['keyFlags']) {
  const built = new Map<string, Promise<EncryptKeyring>>();
  return {
    keyringFor: async (settings: EncryptSettings): Promise<Keyring> => {
      const id = JSON.stringify([settings.keys, settings.keyset]);
      let opened = built.get(id);
      if (!opened) {
        opened = openEncryptKeyring(settings, flags);
        built.set(id, opened);
      }
      return (await opened).keyring;
    },
    close: async (): Promise<void> => {
      for (const opened of built.values()) (await opened.catch(() => undefined))?.close();
    },
  };
}

/**
 * `encrypt -r`: every file under `root` gets an encrypted copy `NAME.pkms` beside it; the
 * plaintext is left in place (polykms never deletes it: check the copies, then remove them with
 * your own tools). A file whose `.pkms` exists is done, so a re-run after an interruption or a
 * failure does only the rest. Each message has its own random data key and message id, from
 * which its frame keys are derived, so no (key, nonce) pair repeats across files, runs or workers.
 */
export async function encryptTree(
  root: string,
  files: readonly string[],
  options: EncryptTreeOptions,
): Promise<TreeRun<EncryptTreeState>> {
  const keyrings = keyringCache(options.keyFlags);
  const settingsFor = (path: string) =>
    encryptSettingsFor(path, { ...options.keyFlags, context: options.context });
  try {
    // The keyring the flags name is built first, so that a typo fails before any file.
    if (options.keyFlags.key?.length || options.keyFlags.keyset !== undefined)
      await keyrings.keyringFor(await settingsFor(root));
    return await runTree(root, files, ENCRYPT_TREE_STATES, (file) => encryptOne(file), {
      ...options,
      label: options.dryRun ? 'checking' : 'encrypting',
      describe: (state) => (options.dryRun && state === 'encrypted' ? 'would encrypt' : state),
    });
  } finally {
    await keyrings.close();
  }

  async function encryptOne(file: string): Promise<EncryptTreeState> {
    if (file.endsWith(ENCRYPTED_SUFFIX)) return 'not-applicable';
    const path = join(root, file);
    const output = `${path}${ENCRYPTED_SUFFIX}`;
    if (!options.force && (await stat(output).catch(() => undefined))) return 'already-encrypted';
    const settings = await settingsFor(path);
    const keyring = await keyrings.keyringFor(settings);
    if (options.dryRun) return 'encrypted';
    const encrypting = (source: Source) =>
      encryptStream({
        keyring,
        encryptionContext: settings.context,
        suite: options.suite,
        frameLength: options.frameLength,
        plaintextLength: source.size,
      });
    // Without --force, a .pkms that appeared meanwhile (another worker) is kept: this file fails.
    await transformTreeFile(root, path, encrypting, output, options.force);
    return 'encrypted';
  }
}
