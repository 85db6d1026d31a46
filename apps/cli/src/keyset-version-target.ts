import type { MessageHeader } from '@polykms/envelope';
import { inspectKeyset, keysetEdkVersion, readKeysetFile } from '@polykms/keyset';
import { CliError } from './cli-error.js';
import { keysetFromOptions, keysetRequested } from './keyset-options.js';
import {
  type FileState,
  type MigrationFlags,
  type MigrationTarget,
  keysetRewrapPlan,
} from './migration-target.js';
import { parsePositiveInt } from './options.js';

/**
 * `migrate DIR --keyset FILE --unlock URI [--below-version N]`: the rest of a rotation. Files whose
 * data key the keyset wrapped under a version below N (default: its primary) are re-encrypted under
 * the primary, so that the old versions can then be retired.
 *
 * No (key, nonce) pair repeats: each attempt is a new encryption (fresh data key and message id),
 * its data key wrapped under a key derived from a fresh random salt (KeysetKeyring), whatever the
 * retries, copies or concurrent runs.
 */
export async function keysetVersionTarget(flags: MigrationFlags, dryRun: boolean): Promise<MigrationTarget> {
  if (flags.headerOnly) {
    throw new CliError('a newer keyset version needs a new data key: --header-only cannot move files there');
  }
  const notHere = { '--to': flags.to, '--key': flags.key };
  if (!keysetRequested(flags, notHere)) throw new CliError('give --keyset FILE');
  if (dryRun) {
    // Read, not opened: a dry run calls no KMS. The header's claims are unauthenticated, which is
    // enough to report what a real run would do (it opens the keyset and checks them).
    const info = inspectKeyset(await readKeysetFile(flags.keyset));
    if (flags.keysetId !== undefined && flags.keysetId !== info.keysetId) {
      throw new CliError(`the --keyset file holds keyset ${info.keysetId}, not ${flags.keysetId}`);
    }
    const primary = info.versions.find((v) => v.state === 'primary')?.version ?? 0;
    const below = belowVersion(flags, primary);
    return {
      classify: (header) => classifyForKeysetVersion(header, info.keysetId, below),
      plan: undefined,
      close() {},
    };
  }
  const opened = await keysetFromOptions(flags, notHere);
  if (!opened) throw new CliError('give --keyset FILE');
  try {
    const { keysetId, primaryVersion } = opened.keyset;
    const below = belowVersion(flags, primaryVersion);
    return {
      classify: (header) => classifyForKeysetVersion(header, keysetId, below),
      // The keyset opens every version it holds, and wraps under its primary.
      plan: keysetRewrapPlan(opened.keyring, opened.keyring, keysetId, flags.keyset),
      close: () => opened.close(),
    };
  } catch (error) {
    opened.close();
    throw error;
  }
}

function belowVersion(flags: MigrationFlags, primary: number): number {
  if (flags.belowVersion === undefined) return primary;
  const below = parsePositiveInt(flags.belowVersion, '--below-version');
  if (below > primary) {
    throw new CliError(
      `--below-version ${below}: the keyset's primary is version ${primary}, so files re-encrypted now could ` +
        `never reach version ${below} (rotate first: \`polykms keyset rotate FILE\`)`,
    );
  }
  return below;
}

/**
 * From the header alone: done when the keyset wrapped the data key under version `below` or later,
 * to do when only under older ones. A file with other recipients besides the keyset fails rather
 * than being skipped or losing them: re-encrypt it with `polykms rewrap`.
 */
export function classifyForKeysetVersion(header: MessageHeader, keysetId: string, below: number): FileState {
  const versions = header.encryptedDataKeys.map((edk) => keysetEdkVersion(edk, keysetId));
  if (versions.every((version) => version === undefined)) return 'not-applicable';
  if (versions.some((version) => version === undefined)) {
    throw new CliError(
      `it has recipients besides keyset ${keysetId}: re-encrypt it with \`polykms rewrap\`, which keeps them`,
    );
  }
  return versions.some((version) => (version as number) >= below) ? 'already-migrated' : 'migrated';
}
