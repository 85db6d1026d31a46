/** What a version is for. Only the primary wraps new data keys; every state still unwraps. */
export type VersionState = 'primary' | 'active' | 'retired';

/** A version as callers see it: never its key. */
export interface KeyVersionInfo {
  /** 1, 2, 3, …: a new version is one more than the highest. */
  readonly version: number;
  readonly state: VersionState;
  readonly createdAt: Date;
}

export interface KeyVersion extends KeyVersionInfo {
  /** 32 bytes. Owned by the keyset holding it, which zeroes it on close. */
  readonly key: Buffer;
}

/** The plaintext of a keyset message. */
export interface KeysetContent {
  /** 32 lowercase hex digits (128 random bits). */
  readonly keysetId: string;
  /** 1 when created, one more at every write. */
  readonly generation: number;
  /** Ascending by version number; exactly one primary. */
  readonly versions: readonly KeyVersion[];
}

export function primaryOf(versions: readonly KeyVersionInfo[]): number {
  const primary = versions.find((v) => v.state === 'primary');
  if (!primary) throw new Error('a keyset always has one primary version');
  return primary.version;
}
