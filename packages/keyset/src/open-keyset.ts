import {
  InvalidArgumentError,
  type Keyring,
  KeysetError,
  LimitExceededError,
  decrypt,
  parseHeader,
} from '@polykms/envelope';
import { Keyset } from './keyset.js';
import {
  KEYSET_PURPOSE,
  type KeysetClaims,
  KeysetContextKeys,
  isKeysetId,
  readKeysetClaims,
  sameClaims,
} from './keyset-context.js';
import { MAX_GENERATION, MAX_KEYSET_MESSAGE_BYTES } from './limits.js';
import { decodeKeyset } from './serialize.js';

export interface OpenKeysetOptions {
  /**
   * The keyring allowed to open it: strict keyrings naming the keys, or a discovery keyring with a
   * filter. The recipients the file names are never used to choose a key.
   */
  readonly keyring: Keyring;
  /** Refuse a keyset with another id (another dataset's keyset swapped in). Recommended. */
  readonly keysetId?: string | undefined;
  /** Refuse a keyset older than this generation (a stale copy swapped in). */
  readonly minGeneration?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Opens a keyset message: one `decrypt`, so one KMS call for a strict keyring. The id and
 * generation are checked against the header before any KMS call (a swapped or stale file costs
 * none), then again against the authenticated context, which must also agree with the plaintext.
 */
export async function openKeyset(message: Uint8Array, options: OpenKeysetOptions): Promise<Keyset> {
  if (!(message instanceof Uint8Array))
    throw new InvalidArgumentError('openKeyset: the keyset must be bytes');
  checkPins(options);
  if (message.length > MAX_KEYSET_MESSAGE_BYTES) {
    throw new LimitExceededError(
      `the keyset is ${message.length} bytes; a keyset is at most ${MAX_KEYSET_MESSAGE_BYTES}`,
    );
  }
  checkExpected(readKeysetClaims(parseHeader(message).encryptionContext), options);
  const result = await decrypt(message, {
    keyring: options.keyring,
    encryptionContext: { [KeysetContextKeys.purpose]: KEYSET_PURPOSE },
    maxFrameLength: MAX_KEYSET_MESSAGE_BYTES,
    signal: options.signal,
  });
  try {
    const claims = readKeysetClaims(result.encryptionContext);
    checkExpected(claims, options);
    const content = decodeKeyset(result.plaintext);
    if (!sameClaims(claims, content)) {
      for (const v of content.versions) v.key.fill(0);
      throw new KeysetError(
        'ERR_KEYSET_MISMATCH',
        `keyset ${claims.keysetId}: the authenticated content contradicts its encryption context`,
      );
    }
    return new Keyset(content);
  } finally {
    result.plaintext.fill(0);
  }
}

/**
 * A pin that cannot match must fail loudly: `minGeneration: NaN` (an unset variable through
 * Number()) compared false with every generation and so let any stale copy through, and an
 * upper-case id was refused as "another dataset's keyset".
 */
function checkPins(options: OpenKeysetOptions): void {
  if (options.keysetId !== undefined && !isKeysetId(options.keysetId)) {
    throw new InvalidArgumentError('openKeyset: keysetId must be 32 lowercase hex digits');
  }
  const min = options.minGeneration;
  if (min !== undefined && !(Number.isInteger(min) && min >= 1 && min <= MAX_GENERATION)) {
    throw new InvalidArgumentError(
      `openKeyset: minGeneration must be an integer from 1 to ${MAX_GENERATION}`,
    );
  }
}

function checkExpected(claims: KeysetClaims, options: OpenKeysetOptions): void {
  if (options.keysetId !== undefined && claims.keysetId !== options.keysetId) {
    throw new KeysetError(
      'ERR_KEYSET_MISMATCH',
      `this is keyset ${claims.keysetId}, not the expected ${options.keysetId}: another dataset's keyset`,
    );
  }
  if (options.minGeneration !== undefined && claims.generation < options.minGeneration) {
    throw new KeysetError(
      'ERR_STALE_KEYSET',
      `keyset ${claims.keysetId} is at generation ${claims.generation}, older than the required ${options.minGeneration}: a stale copy`,
    );
  }
}
