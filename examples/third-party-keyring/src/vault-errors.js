/**
 * The vault's own errors, shaped like a cloud SDK's: a `name` per failure. The driver's error
 * table (error-table.js) turns them into polykms codes.
 */
export class VaultError extends Error {
  /**
   * @param {'KeyNotFound' | 'KeyDisabled' | 'InvalidCiphertext' | 'VaultUnreadable'} name
   * @param {string} message never key material: names, versions and paths only
   */
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}
