/**
 * What the keyring writes into an EDK's provider info: `<key name>/versions/<n>`, UTF-8. The name
 * tells a strict keyring whether the EDK is its own without opening the vault; the version is
 * checked against the one the vault says it used. The vault's path is not in it, so a vault file
 * that moves (or is restored from a backup) still opens the messages written before.
 */

/** Vault key names: what a file, a URI and a log line can all carry without escaping. */
export const KEY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REFERENCE = /^([a-z0-9][a-z0-9-]{0,62})\/versions\/([1-9][0-9]{0,8})$/;

/** @param {string} keyName @param {number} version */
export function formatKeyReference(keyName, version) {
  return `${keyName}/versions/${version}`;
}

/** @typedef {{ id: string, keyName: string, version: number }} KeyReference */

/**
 * @param {string} text provider info, already bounded by the keyring
 * @returns {KeyReference | undefined}
 */
export function parseKeyReference(text) {
  const match = REFERENCE.exec(text);
  if (!match) return undefined;
  return { id: text, keyName: match[1], version: Number(match[2]) };
}
