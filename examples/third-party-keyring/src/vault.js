import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { serializeEncryptionContext } from '@polykms/envelope/driver';
import { KEY_NAME } from './key-reference.js';
import { VaultError } from './vault-errors.js';

/**
 * A toy KMS that keeps its keys in a local JSON file (mode 0600):
 *
 *   { "format": 1, "keys": { "orders": { "enabled": true, "versions": ["<base64 AES-256 key>", …] } } }
 *
 * Its client calls (generateDataKey, encrypt, decrypt) read the file afresh, so a key created or
 * rotated by another process is seen at once; its admin calls rewrite it atomically (temp file +
 * rename). It is what a third party's KMS would be to its polykms keyring: a service with its own
 * names and errors. It is NOT a safe place for keys: anyone who can read the file has them.
 *
 * Why a (key, nonce) pair never repeats: every seal draws a fresh random 96-bit IV from
 * node:crypto under the key's current version, and nothing else (no counter, no state in the
 * file) feeds the IV. Copies of the vault, retries of a call, rewrites of a message and
 * concurrent writers in other processes therefore draw independent IVs; a repeat is a random
 * collision, below 2^-32 for the first 2^32 seals under one version (NIST SP 800-38D's bound for
 * random IVs), which `rotateKey` resets. Data keys are far fewer than that per key in any use
 * this toy is for.
 */

const FORMAT = 1;
const KEY_BYTES = 32;
const VERSION_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Larger files are refused unread: a vault of a few hundred keys is a few tens of KiB. */
export const MAX_VAULT_FILE_BYTES = 1 << 20;
/** Data keys of every polykms suite are 16 to 32 bytes. */
export const MAX_DATA_KEY_BYTES = 1024;
export const MAX_CIPHERTEXT_BYTES = VERSION_BYTES + IV_BYTES + MAX_DATA_KEY_BYTES + TAG_BYTES;
/** A key with more versions is refused: it would mean a runaway rotation. */
export const MAX_KEY_VERSIONS = 10_000;

/** @typedef {{ enabled: boolean, versions: string[] }} KeyRecord */
/** @typedef {{ format: number, keys: Record<string, KeyRecord> }} VaultFile */
/** @typedef {import('@polykms/envelope/driver').EncryptionContext} EncryptionContext */

/** @param {string} keyName @param {EncryptionContext} context */
function aad(keyName, context) {
  return Buffer.concat([
    Buffer.from(`filevault\u0000${keyName}\u0000`, 'utf8'),
    serializeEncryptionContext(context),
  ]);
}

/** @param {AbortSignal | undefined} signal */
function checkNotAborted(signal) {
  if (signal?.aborted) throw signal.reason;
}

export class FileVault {
  /** @type {string} */
  #path;
  #calls = 0;

  /** @param {string} path the vault's JSON file; `createKey` creates it when missing */
  constructor(path) {
    this.#path = path;
  }

  get path() {
    return this.#path;
  }

  /** Client calls received so far (including the ones that failed). */
  get callCount() {
    return this.#calls;
  }

  /** Creates `keyName` with one version. @param {string} keyName */
  async createKey(keyName) {
    if (!KEY_NAME.test(keyName))
      throw new VaultError('KeyNotFound', `invalid key name ${JSON.stringify(keyName)}`);
    const vault = await this.#read({ missingIsEmpty: true });
    if (Object.hasOwn(vault.keys, keyName)) return;
    vault.keys[keyName] = { enabled: true, versions: [randomBytes(KEY_BYTES).toString('base64')] };
    await this.#write(vault);
  }

  /** Adds a version that new seals use; older versions keep opening. @param {string} keyName */
  async rotateKey(keyName) {
    const vault = await this.#read();
    const key = this.#key(vault, keyName);
    if (key.versions.length >= MAX_KEY_VERSIONS)
      throw new VaultError('VaultUnreadable', `${keyName} has too many versions`);
    key.versions.push(randomBytes(KEY_BYTES).toString('base64'));
    await this.#write(vault);
  }

  /** @param {string} keyName */
  async disableKey(keyName) {
    await this.#setEnabled(keyName, false);
  }

  /** @param {string} keyName */
  async enableKey(keyName) {
    await this.#setEnabled(keyName, true);
  }

  /**
   * Every version's key material: what a real KMS never hands out. A conformance harness declares
   * it as secrets, so the suite checks that no error, event or log of the keyring contains it.
   * @param {string} keyName
   * @returns {Promise<Buffer[]>}
   */
  async keyMaterial(keyName) {
    return this.#key(await this.#read(), keyName).versions.map((v) => Buffer.from(v, 'base64'));
  }

  /** @param {string} keyName */
  async currentVersion(keyName) {
    return this.#key(await this.#read(), keyName).versions.length;
  }

  /**
   * @param {{ keyName: string, numberOfBytes: number, context: EncryptionContext, signal?: AbortSignal }} input
   */
  async generateDataKey({ keyName, numberOfBytes, context, signal }) {
    if (!Number.isInteger(numberOfBytes) || numberOfBytes < 1 || numberOfBytes > MAX_DATA_KEY_BYTES) {
      throw new RangeError('numberOfBytes out of range');
    }
    const plaintext = randomBytes(numberOfBytes);
    return { ...(await this.encrypt({ keyName, plaintext, context, signal })), plaintext };
  }

  /**
   * Ciphertext: u32 version ‖ IV ‖ AES-256-GCM ciphertext ‖ tag, the AAD binding the key name and
   * the encryption context.
   * @param {{ keyName: string, plaintext: Uint8Array, context: EncryptionContext, signal?: AbortSignal }} input
   */
  async encrypt({ keyName, plaintext, context, signal }) {
    const { version, material } = await this.#admit(keyName, undefined, signal);
    try {
      if (plaintext.length > MAX_DATA_KEY_BYTES) throw new RangeError('plaintext too long for a data key');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', material, iv);
      cipher.setAAD(aad(keyName, context));
      const header = Buffer.alloc(VERSION_BYTES);
      header.writeUInt32BE(version);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { keyName, version, ciphertext: Buffer.concat([header, iv, body, cipher.getAuthTag()]) };
    } finally {
      material.fill(0);
    }
  }

  /**
   * @param {{ keyName: string, ciphertext: Uint8Array, context: EncryptionContext, signal?: AbortSignal }} input
   */
  async decrypt({ keyName, ciphertext, context, signal }) {
    const invalid = new VaultError('InvalidCiphertext', `the ciphertext is not one of ${keyName}`);
    const blob = Buffer.from(ciphertext);
    if (blob.length < VERSION_BYTES + IV_BYTES + TAG_BYTES || blob.length > MAX_CIPHERTEXT_BYTES) {
      this.#calls += 1;
      throw invalid;
    }
    const { version, material } = await this.#admit(keyName, blob.readUInt32BE(0), signal);
    let opened;
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        material,
        blob.subarray(VERSION_BYTES, VERSION_BYTES + IV_BYTES),
      );
      decipher.setAAD(aad(keyName, context));
      decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
      opened = decipher.update(blob.subarray(VERSION_BYTES + IV_BYTES, blob.length - TAG_BYTES));
      // final() authenticates: nothing of `opened` leaves before it succeeds.
      return { keyName, version, plaintext: Buffer.concat([opened, decipher.final()]) };
    } catch {
      throw invalid;
    } finally {
      opened?.fill(0);
      material.fill(0);
    }
  }

  /**
   * One client call's admission, in the order a cloud applies it: abort, existence, state,
   * version. Returns a copy of the version's key material that the caller zeroes.
   * @param {string} keyName @param {number | undefined} wantedVersion undefined = the current one
   * @param {AbortSignal | undefined} signal
   */
  async #admit(keyName, wantedVersion, signal) {
    this.#calls += 1;
    checkNotAborted(signal);
    const key = this.#key(await this.#read(), keyName);
    checkNotAborted(signal);
    if (!key.enabled) throw new VaultError('KeyDisabled', `key ${keyName} is disabled`);
    const version = wantedVersion ?? key.versions.length;
    const encoded = key.versions[version - 1];
    if (encoded === undefined)
      throw new VaultError('InvalidCiphertext', `${keyName} has no version ${version}`);
    const material = Buffer.from(encoded, 'base64');
    if (material.length !== KEY_BYTES) {
      material.fill(0);
      throw new VaultError('VaultUnreadable', `${keyName} version ${version} is not an AES-256 key`);
    }
    return { version, material };
  }

  /** @param {VaultFile} vault @param {string} keyName @returns {KeyRecord} */
  #key(vault, keyName) {
    const key = Object.hasOwn(vault.keys, keyName) ? vault.keys[keyName] : undefined;
    if (key === undefined) throw new VaultError('KeyNotFound', `key ${keyName} is not in the vault`);
    return key;
  }

  /** @param {string} keyName @param {boolean} enabled */
  async #setEnabled(keyName, enabled) {
    const vault = await this.#read();
    this.#key(vault, keyName).enabled = enabled;
    await this.#write(vault);
  }

  /** @param {{ missingIsEmpty?: boolean }} [options] @returns {Promise<VaultFile>} */
  async #read({ missingIsEmpty = false } = {}) {
    let text;
    try {
      const bytes = await readFile(this.#path);
      if (bytes.length > MAX_VAULT_FILE_BYTES) throw new Error(`larger than ${MAX_VAULT_FILE_BYTES} bytes`);
      text = bytes.toString('utf8');
    } catch (error) {
      if (missingIsEmpty && /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') {
        return { format: FORMAT, keys: {} };
      }
      throw new VaultError('VaultUnreadable', `cannot read the vault ${this.#path}: ${errorText(error)}`);
    }
    let vault;
    try {
      vault = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the text, which holds keys: say only where.
      throw new VaultError('VaultUnreadable', `the vault ${this.#path} is not JSON`);
    }
    if (vault?.format !== FORMAT || typeof vault.keys !== 'object' || vault.keys === null) {
      throw new VaultError('VaultUnreadable', `the vault ${this.#path} is not a format ${FORMAT} vault`);
    }
    return vault;
  }

  /** @param {VaultFile} vault */
  async #write(vault) {
    const temporary = `${this.#path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, `${JSON.stringify(vault, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.#path);
  }
}

/** @param {unknown} error */
function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}
