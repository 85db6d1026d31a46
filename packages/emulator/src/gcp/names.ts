import { invalidArgument } from './errors.js';

/** Resource ids in Cloud KMS: letters, digits, `_` and `-`, 1 to 63 characters. */
const ID = /^[a-zA-Z0-9_-]{1,63}$/;
const VERSION_ID = /^[1-9][0-9]{0,9}$/;

export function isValidId(id: string): boolean {
  return ID.test(id);
}

export function checkId(kind: string, id: string): string {
  if (!isValidId(id)) {
    throw invalidArgument(`${kind} id "${id}" is invalid: it must match [a-zA-Z0-9_-]{1,63}.`);
  }
  return id;
}

export interface LocationName {
  readonly kind: 'location';
  readonly name: string;
}
export interface KeyRingName {
  readonly kind: 'keyRing';
  readonly name: string;
  readonly location: string;
}
export interface CryptoKeyName {
  readonly kind: 'cryptoKey';
  readonly name: string;
  readonly keyRing: string;
}
export interface CryptoKeyVersionName {
  readonly kind: 'cryptoKeyVersion';
  readonly name: string;
  readonly cryptoKey: string;
  readonly versionId: number;
}
export type ResourceName = LocationName | KeyRingName | CryptoKeyName | CryptoKeyVersionName;

/**
 * Parses `projects/{p}/locations/{l}[/keyRings/{kr}[/cryptoKeys/{ck}[/cryptoKeyVersions/{n}]]]`,
 * checking every id. Anything else is INVALID_ARGUMENT, as the real service answers.
 */
export function parseName(name: string): ResourceName {
  const parts = name.split('/');
  const bad = () => invalidArgument(`Resource name [${name}] does not match any known pattern.`);
  const labels = ['projects', 'locations', 'keyRings', 'cryptoKeys', 'cryptoKeyVersions'];
  if (parts.length < 4 || parts.length > 10 || parts.length % 2 !== 0) throw bad();
  for (let i = 0; i < parts.length; i += 2) {
    const value = parts[i + 1] ?? '';
    if (parts[i] !== labels[i / 2]) throw bad();
    const isVersion = i === 8;
    if (isVersion ? !VERSION_ID.test(value) : !isValidId(value)) throw bad();
  }
  const prefix = (segments: number) => parts.slice(0, segments).join('/');
  switch (parts.length) {
    case 4:
      return { kind: 'location', name };
    case 6:
      return { kind: 'keyRing', name, location: prefix(4) };
    case 8:
      return { kind: 'cryptoKey', name, keyRing: prefix(6) };
    default:
      return { kind: 'cryptoKeyVersion', name, cryptoKey: prefix(8), versionId: Number(parts[9]) };
  }
}

export function parseNameOf<K extends ResourceName['kind']>(
  name: string,
  kind: K,
  field: string,
): Extract<ResourceName, { kind: K }> {
  const parsed = parseName(name);
  if (parsed.kind !== kind) {
    throw invalidArgument(`${field} [${name}] is not a ${kindLabel[kind]} name.`);
  }
  return parsed as Extract<ResourceName, { kind: K }>;
}

const kindLabel: Record<ResourceName['kind'], string> = {
  location: 'location',
  keyRing: 'KeyRing',
  cryptoKey: 'CryptoKey',
  cryptoKeyVersion: 'CryptoKeyVersion',
};
