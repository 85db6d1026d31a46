import {
  type EncryptionContext,
  KeysetError,
  MalformedMessageError,
  PURPOSE_CONTEXT_KEY,
} from '@polykms/envelope';
import type { KeyVersionInfo, VersionState } from './keyset-content.js';
import { MAX_GENERATION, MAX_KEYSET_VERSIONS } from './limits.js';

/**
 * The encryption context of every keyset message. The header tag and commitment bind it, so once
 * the message is opened these pairs are authentic; before that (inspect) they are claims.
 */
export const KeysetContextKeys = {
  /** Marks the message as a keyset: a data message can never be taken for one, nor one for it. */
  purpose: PURPOSE_CONTEXT_KEY,
  keysetId: 'polykms:keyset-id',
  generation: 'polykms:keyset-generation',
  /** `1:retired,2:active,3:primary`: what `keyset inspect` can show without a key. */
  versions: 'polykms:keyset-versions',
  /**
   * Generation 2 on: the message id (hex) of the generation this one was made from, so that a
   * write can tell the file it replaces from another generation of the same number (a fork).
   */
  parent: 'polykms:keyset-parent',
} as const;

export const KEYSET_PURPOSE = 'keyset/v1';

/** What a keyset message's context says about it. */
export interface KeysetClaims {
  readonly keysetId: string;
  readonly generation: number;
  readonly versions: readonly Pick<KeyVersionInfo, 'version' | 'state'>[];
  /** The message id (64 hex digits) of the generation this one replaces; absent in generation 1 and in keysets written before it existed. */
  readonly parent?: string | undefined;
}

export function keysetContext(claims: KeysetClaims): EncryptionContext {
  return {
    [KeysetContextKeys.purpose]: KEYSET_PURPOSE,
    [KeysetContextKeys.keysetId]: claims.keysetId,
    [KeysetContextKeys.generation]: String(claims.generation),
    [KeysetContextKeys.versions]: claims.versions.map((v) => `${v.version}:${v.state}`).join(','),
    ...(claims.parent !== undefined && { [KeysetContextKeys.parent]: claims.parent }),
  };
}

const KEYSET_ID = /^[0-9a-f]{32}$/;

/** True for a keyset id as written: 32 lowercase hex digits. */
export function isKeysetId(value: unknown): value is string {
  return typeof value === 'string' && KEYSET_ID.test(value);
}
const COUNTER = /^[1-9][0-9]{0,9}$/;
const VERSION_STATES: ReadonlySet<string> = new Set<VersionState>(['primary', 'active', 'retired']);

/** The claims of a keyset message's context; refuses a message that is not a keyset. */
export function readKeysetClaims(context: Readonly<Record<string, string>>): KeysetClaims {
  if (context[KeysetContextKeys.purpose] !== KEYSET_PURPOSE) {
    throw new KeysetError('ERR_KEYSET_MISMATCH', 'this message is not a polykms keyset');
  }
  const keysetId = context[KeysetContextKeys.keysetId] ?? '';
  const generation = context[KeysetContextKeys.generation] ?? '';
  if (!KEYSET_ID.test(keysetId)) throw new MalformedMessageError('the keyset id is not 32 hex digits');
  if (!COUNTER.test(generation) || Number(generation) > MAX_GENERATION) {
    throw new MalformedMessageError('the keyset generation is not a counter');
  }
  const parent = context[KeysetContextKeys.parent];
  if (parent !== undefined && (!MESSAGE_ID.test(parent) || generation === '1')) {
    throw new MalformedMessageError('the keyset parent is not the message id of an earlier generation');
  }
  return {
    keysetId,
    generation: Number(generation),
    versions: readVersions(context),
    ...(parent !== undefined && { parent }),
  };
}

const MESSAGE_ID = /^[0-9a-f]{64}$/;

function readVersions(context: Readonly<Record<string, string>>): KeysetClaims['versions'] {
  const items = (context[KeysetContextKeys.versions] ?? '').split(',');
  if (items.length > MAX_KEYSET_VERSIONS) {
    throw new MalformedMessageError(`the keyset lists more than ${MAX_KEYSET_VERSIONS} versions`);
  }
  return items.map((item) => {
    const [version = '', state = '', ...rest] = item.split(':');
    if (!COUNTER.test(version) || !VERSION_STATES.has(state) || rest.length > 0) {
      throw new MalformedMessageError('the keyset versions summary is malformed');
    }
    return { version: Number(version), state: state as VersionState };
  });
}

/** True when two claims say the same thing (the context against the authenticated plaintext). */
export function sameClaims(a: KeysetClaims, b: KeysetClaims): boolean {
  return (
    a.keysetId === b.keysetId &&
    a.generation === b.generation &&
    a.versions.length === b.versions.length &&
    a.versions.every((v, i) => v.version === b.versions[i]?.version && v.state === b.versions[i]?.state)
  );
}
