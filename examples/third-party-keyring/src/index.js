export { FileVault, MAX_CIPHERTEXT_BYTES, MAX_DATA_KEY_BYTES, MAX_VAULT_FILE_BYTES } from './vault.js';
export { VaultError } from './vault-errors.js';
export { FileVaultDriver } from './driver.js';
export { FileVaultKeyring } from './keyring.js';
export { mapVaultError, PROVIDER_ID } from './error-table.js';
// What `polykms --plugin polykms-keyring-filevault` loads.
export { keyringScheme } from './scheme.js';
