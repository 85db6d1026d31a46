import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileVault, FileVaultKeyring, PROVIDER_ID } from '../src/index.js';

/**
 * The conformance harness: keyrings for keys A and B of a fresh vault in a scratch directory, and
 * the vault's admin side for the cases that disable, rotate or count calls. The cases that need
 * hooks a file cannot offer (denials, injected faults, discovery) are reported as skipped.
 * @returns {import('@polykms/conformance').ConformanceHarness}
 */
export function createFileVaultHarness() {
  const dir = mkdtempSync(join(tmpdir(), 'filevault-conformance-'));
  const vault = new FileVault(join(dir, 'vault.json'));
  const keys = { A: 'key-a', B: 'key-b' };
  /** @param {string} keyName @param {number} [timeoutMs] */
  const keyring = (keyName, timeoutMs) => new FileVaultKeyring({ vault, keyName, timeoutMs });
  return {
    name: 'filevault (third-party example)',
    providerId: PROVIDER_ID,
    remote: true,
    bindsContext: true,
    versionPinned: { currentVersion: async (key) => `/versions/${await vault.currentVersion(keys[key])}` },
    setup: async () => {
      await vault.createKey(keys.A);
      await vault.createKey(keys.B);
    },
    teardown: () => rmSync(dir, { recursive: true, force: true }),
    keyringForKeyA: () => keyring(keys.A),
    keyringForKeyB: () => keyring(keys.B),
    keyringForMissingKey: () => keyring('no-such-key'),
    keyringWithTimeout: (timeoutMs) => keyring(keys.A, timeoutMs),
    secrets: async () =>
      (
        await Promise.all(
          /** @type {const} */ (['A', 'B']).map(async (key) =>
            (
              await vault.keyMaterial(keys[key])
            ).map((value, i) => ({ name: `key ${key} version ${i + 1}`, value })),
          ),
        )
      ).flat(),
    admin: {
      disableKey: (key) => vault.disableKey(keys[key]),
      enableKey: (key) => vault.enableKey(keys[key]),
      rotateKey: (key) => vault.rotateKey(keys[key]),
      callCount: () => vault.callCount,
    },
  };
}
