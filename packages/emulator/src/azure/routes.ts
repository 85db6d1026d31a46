import { VaultError, badParameter } from './errors.js';
import type { DataOperation } from './key-operations.js';

export type Route =
  | { readonly kind: 'create' | 'rotate' | 'listVersions' | 'delete'; readonly name: string }
  | { readonly kind: 'getDeleted' | 'purge' | 'recover'; readonly name: string }
  | { readonly kind: 'list' }
  /** version '' = the current version (the client's `GET /keys/{name}/`). */
  | { readonly kind: 'get' | 'update'; readonly name: string; readonly version: string }
  | {
      readonly kind: 'operation';
      readonly name: string;
      readonly version: string;
      readonly operation: DataOperation;
    };

/** Every permission `permissionOf` names: the operations a fault or a denial may name for Azure. */
export const AZURE_OPERATIONS: readonly string[] = [
  'list',
  'get',
  'create',
  'rotate',
  'update',
  'delete',
  'purge',
  'recover',
  'encrypt',
  'decrypt',
  'wrapKey',
  'unwrapKey',
];

/** The permission each route needs, as Key Vault access policies name them (for the control plane). */
export function permissionOf(route: Route): string {
  switch (route.kind) {
    case 'list':
    case 'listVersions':
      return 'list';
    case 'getDeleted':
      return 'get';
    case 'operation':
      return { encrypt: 'encrypt', decrypt: 'decrypt', wrapkey: 'wrapKey', unwrapkey: 'unwrapKey' }[
        route.operation
      ];
    default:
      return route.kind;
  }
}

const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;
const MAX_VERSION_LENGTH = 64;
const DATA_OPERATIONS: readonly string[] = ['encrypt', 'decrypt', 'wrapkey', 'unwrapkey'];

function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badParameter('The request URI contains an invalid escape sequence.');
  }
}

function keyName(raw: string): string {
  const name = segment(raw);
  if (!KEY_NAME.test(name)) {
    throw badParameter(
      `'${name.slice(0, 127)}' is not a valid key name: use 1-127 letters, digits and dashes.`,
    );
  }
  return name;
}

function keyVersion(raw: string): string {
  const version = segment(raw);
  if (version.length > MAX_VERSION_LENGTH) throw badParameter('The key version is too long.');
  return version;
}

function notFound(method: string, pathname: string): VaultError {
  return new VaultError(404, 'NotFound', `No route for ${method} ${pathname.slice(0, 200)}.`);
}

// 501, not 404: a 404 reads as "no such key", and the client does not retry 501.
function rotationPolicyNotServed(method: string): VaultError {
  return new VaultError(
    501,
    'NotImplemented',
    `The polykms emulator does not serve key rotation policies (${method} /keys/{name}/rotationpolicy); rotate with POST /keys/{name}/rotate.`,
  );
}

/** Maps a method and path onto a route; unknown paths are 404, bad names 400. */
export function matchRoute(method: string, pathname: string): Route {
  const parts = pathname.split('/').slice(1);
  const [collection, rawName, third, fourth] = parts;
  if (collection === 'keys') {
    if (rawName === undefined || rawName === '') {
      if (method === 'GET' && parts.length <= 2) return { kind: 'list' };
      throw notFound(method, pathname);
    }
    const name = keyName(rawName);
    if (parts.length === 2) {
      if (method === 'DELETE') return { kind: 'delete', name };
      if (method === 'GET') return { kind: 'get', name, version: '' };
      if (method === 'PATCH') return { kind: 'update', name, version: '' };
    }
    if (parts.length === 3 && third !== undefined) {
      if (third === 'rotationpolicy') throw rotationPolicyNotServed(method);
      if (method === 'POST' && third === 'create') return { kind: 'create', name };
      if (method === 'POST' && third === 'rotate') return { kind: 'rotate', name };
      if (method === 'GET' && third === 'versions') return { kind: 'listVersions', name };
      if (method === 'GET') return { kind: 'get', name, version: keyVersion(third) };
      if (method === 'PATCH') return { kind: 'update', name, version: keyVersion(third) };
    }
    if (parts.length === 4 && third !== undefined && fourth !== undefined && method === 'POST') {
      if (DATA_OPERATIONS.includes(fourth)) {
        return { kind: 'operation', name, version: keyVersion(third), operation: fourth as DataOperation };
      }
    }
    throw notFound(method, pathname);
  }
  if (collection === 'deletedkeys' && rawName !== undefined && rawName !== '') {
    const name = keyName(rawName);
    if (parts.length === 2 && method === 'GET') return { kind: 'getDeleted', name };
    if (parts.length === 2 && method === 'DELETE') return { kind: 'purge', name };
    if (parts.length === 3 && third === 'recover' && method === 'POST') return { kind: 'recover', name };
  }
  throw notFound(method, pathname);
}
