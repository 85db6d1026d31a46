import { encodeBase64url, decodeBase64url } from './base64url.js';
import { VaultError, badParameter, keyDisabled } from './errors.js';
import { keyObjectOf } from './key-material.js';
import { type DataOperation, runOperation } from './key-operations.js';
import { parseCreateKey, parseKeyOperation, parseUpdateKey } from './request-bodies.js';
import { deletedKeyBundle, keyBundle, keyId, keyItem } from './representation.js';
import type { Route } from './routes.js';
import type { KeyVersion, StoredKey, Vault } from './store.js';

export interface HandlerResult {
  readonly status: number;
  readonly body?: unknown;
  /** True when the vault's state changed (for persistence). */
  readonly changed: boolean;
}

const OPERATION_NAMES: Record<DataOperation, string> = {
  encrypt: 'encrypt',
  decrypt: 'decrypt',
  wrapkey: 'wrapKey',
  unwrapkey: 'unwrapKey',
};

function current(key: StoredKey): KeyVersion {
  const version = key.versions.at(-1);
  if (version === undefined) throw new VaultError(404, 'KeyNotFound', `Key ${key.name} has no versions.`);
  return version;
}

/** The checks Key Vault makes before it touches key material. */
function checkUsable(version: KeyVersion, operation: string): void {
  if (!version.enabled) throw keyDisabled(operation);
  if (!version.keyOps.includes(operation)) {
    throw new VaultError(403, 'Forbidden', `Operation ${operation} is not permitted on this key.`, {
      innerCode: 'KeyOperationForbidden',
    });
  }
  const now = Date.now() / 1000;
  if (version.notBefore !== undefined && now < version.notBefore) {
    throw new VaultError(403, 'Forbidden', `Operation ${operation} is not allowed before the key's nbf.`, {
      innerCode: 'KeyNotYetValid',
    });
  }
  if (version.expires !== undefined && now > version.expires) {
    throw new VaultError(403, 'Forbidden', `Operation ${operation} is not allowed on an expired key.`, {
      innerCode: 'KeyExpired',
    });
  }
}

function dataOperation(
  vault: Vault,
  vaultUrl: string,
  route: Extract<Route, { kind: 'operation' }>,
  body: Record<string, unknown>,
): HandlerResult {
  const { algorithm, value: encoded } = parseKeyOperation(body);
  const value = decodeBase64url(encoded);
  if (value === undefined) throw badParameter("Property 'value' is not valid base64url.");
  const { key, version } = vault.version(route.name, route.version);
  checkUsable(version, OPERATION_NAMES[route.operation]);
  const result = runOperation(
    route.operation,
    algorithm,
    { kty: version.kty, keySize: version.keySize, key: keyObjectOf(version.jwk) },
    value,
  );
  try {
    return {
      status: 200,
      body: { kid: keyId(vaultUrl, key, version), value: encodeBase64url(result) },
      changed: false,
    };
  } finally {
    result.fill(0);
    value.fill(0);
  }
}

/** Serves one authenticated, admitted request against the vault. */
export async function handle(
  vault: Vault,
  vaultUrl: string,
  route: Route,
  body: Record<string, unknown>,
): Promise<HandlerResult> {
  switch (route.kind) {
    case 'create': {
      const { key, version } = await vault.create(route.name, parseCreateKey(body));
      return { status: 200, body: keyBundle(vaultUrl, key, version), changed: true };
    }
    case 'rotate': {
      const { key, version } = await vault.rotate(route.name);
      return { status: 200, body: keyBundle(vaultUrl, key, version), changed: true };
    }
    case 'get': {
      const { key, version } = vault.version(route.name, route.version);
      return { status: 200, body: keyBundle(vaultUrl, key, version), changed: false };
    }
    case 'update': {
      const { key, version } = vault.update(route.name, route.version, parseUpdateKey(body));
      return { status: 200, body: keyBundle(vaultUrl, key, version), changed: true };
    }
    case 'list':
      return {
        status: 200,
        body: { value: vault.list().map((k) => keyItem(vaultUrl, k, current(k), false)), nextLink: null },
        changed: false,
      };
    case 'listVersions': {
      const key = vault.key(route.name);
      return {
        status: 200,
        body: { value: key.versions.map((v) => keyItem(vaultUrl, key, v, true)), nextLink: null },
        changed: false,
      };
    }
    case 'delete': {
      const key = vault.delete(route.name);
      return { status: 200, body: deletedKeyBundle(vaultUrl, key, current(key)), changed: true };
    }
    case 'getDeleted': {
      const key = vault.deletedKey(route.name);
      return { status: 200, body: deletedKeyBundle(vaultUrl, key, current(key)), changed: false };
    }
    case 'purge':
      vault.purge(route.name);
      return { status: 204, changed: true };
    case 'recover': {
      const key = vault.recover(route.name);
      return { status: 200, body: keyBundle(vaultUrl, key, current(key)), changed: true };
    }
    case 'operation':
      return dataOperation(vault, vaultUrl, route, body);
  }
}
