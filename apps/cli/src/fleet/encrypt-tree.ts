import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Keyring, encryptStream, type SuiteId } from '@polykms/envelope';
import { encryptKeyring } from '../config/keyrings.js';
import { ENCRYPTED_SUFFIX } from '../io/encrypted-suffix.js';
import type { Source } from '../io/stream-io.js';
import { encryptSettingsFor } from '../policy/encrypt-settings.js';
import { runTree, type TreeRun, type TreeWorkOptions } from './run-tree.js';
import { transformTreeFile } from './tree-source.js';

export const ENCRYPT_TREE_STATES = ['encrypted', 'already-encrypted', 'not-applicable'] as const;
export type EncryptTreeState = (typeof ENCRYPT_TREE_STATES)[number];

export interface EncryptTreeOptions extends TreeWorkOptions<EncryptTreeState> {
  /** Explicit `--key`s; without them each file's policy rule decides. */
  readonly keys: readonly string[] | undefined;
  readonly context: Readonly<Record<string, string>>;
  readonly suite: SuiteId;
  readonly frameLength: number | undefined;
}

/** One keyring per distinct list of keys, built once and shared by every file that uses it. */
function keyringCache(): (keys: readonly string[]) => Promise<Keyring> {
  const built = new Map<string, Promise<Keyring>>();
  return (keys) => {
    const id = JSON.stringify(keys);
    let keyring = built.get(id);
    if (!keyring) {
      keyring = encryptKeyring(keys);
      built.set(id, keyring);
    }
    return keyring;
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
  const keyringFor = keyringCache();
  // Every keyring the flags name is built first, so that a typo fails before any file.
  if (options.keys?.length) await keyringFor(options.keys);
  const encryptOne = async (file: string): Promise<EncryptTreeState> => {
    if (file.endsWith(ENCRYPTED_SUFFIX)) return 'not-applicable';
    const path = join(root, file);
    const output = `${path}${ENCRYPTED_SUFFIX}`;
    if (!options.force && (await stat(output).catch(() => undefined))) return 'already-encrypted';
    const settings = await encryptSettingsFor(path, { key: options.keys, context: options.context });
    const keyring = await keyringFor(settings.keys);
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
  };
  return runTree(root, files, ENCRYPT_TREE_STATES, encryptOne, {
    ...options,
    label: options.dryRun ? 'checking' : 'encrypting',
    describe: (state) => (options.dryRun && state === 'encrypted' ? 'would encrypt' : state),
  });
}
