import type { EncryptedDataKey } from '../keyring/types.js';
import type { HeaderTemplate } from '../message/header-template.js';

/** Header templates one cached data key keeps at most (one per frame length and required keys). */
export const MAX_HEADER_TEMPLATES = 4;

/**
 * What a data-key cache hit hands `encrypt` besides the key: the EDKs, checked and copied once
 * when the entry was stored, and the headers already laid out for them. Messages under one
 * cached key differ only in message id, commitment and tags, so the rest of the header is built
 * once per entry instead of once per message.
 */
export interface ReusableMaterials {
  /** Frozen; the very array the cache entry's wrap results carry, never handed to callers. */
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly headerTemplates: Map<string, HeaderTemplate>;
}

/**
 * A cache hit's wrap result, carrying its materials in a private field: only this copy of the
 * package can make one, and a result spread into a new object (a keyring wrapping the cache)
 * carries none.
 */
export class ReusableWrapResult {
  readonly #materials: ReusableMaterials;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];

  constructor(
    readonly dataKey: Uint8Array,
    materials: ReusableMaterials,
  ) {
    this.#materials = materials;
    this.encryptedDataKeys = materials.encryptedDataKeys;
  }

  /** The materials of a cache hit, when `result` is one and still carries the EDKs it was made with. */
  static materialsOf(result: { readonly encryptedDataKeys: unknown }): ReusableMaterials | undefined {
    if (!(#materials in result)) return undefined;
    const materials = (result as ReusableWrapResult).#materials;
    return result.encryptedDataKeys === materials.encryptedDataKeys ? materials : undefined;
  }
}
