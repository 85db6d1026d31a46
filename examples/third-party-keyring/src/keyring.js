import { InvalidArgumentError, KmsKeyring } from '@polykms/envelope/driver';
import { FileVaultDriver } from './driver.js';
import { KEY_NAME } from './key-reference.js';
import { FileVault } from './vault.js';

/** A local file answers at once or not at all: two quick attempts. */
const DEFAULT_RETRY = { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 200 };

/**
 * @typedef {object} FileVaultKeyringOptions
 * @property {FileVault | string} vault the vault, or the path of its JSON file
 * @property {string} keyName wraps under this key and unwraps only its EDKs (any version)
 * @property {number} [timeoutMs] deadline per vault call, retries excluded
 * @property {import('@polykms/envelope/driver').RetryOptions} [retry]
 */

/**
 * The portable `KmsKeyring` over the file vault's driver, strict mode: the driver says how to
 * call the vault and what its names and errors mean; the keyring does everything else, exactly
 * as it does for the cloud providers.
 */
export class FileVaultKeyring extends KmsKeyring {
  /** @param {FileVaultKeyringOptions} options */
  constructor({ vault, keyName, timeoutMs, retry }) {
    if (!KEY_NAME.test(keyName ?? '')) {
      throw new InvalidArgumentError(`filevault: invalid key name ${JSON.stringify(keyName)} (a-z, 0-9, -)`);
    }
    /** @param {import('./key-reference.js').KeyReference} key */
    const ofThisKey = (key) => key.keyName === keyName;
    super({
      driver: new FileVaultDriver(typeof vault === 'string' ? new FileVault(vault) : vault),
      timeoutMs,
      retry,
      retryDefaults: DEFAULT_RETRY,
      policy: { mode: 'strict', keyId: keyName, sealedWith: ofThisKey, opens: ofThisKey },
    });
  }
}
