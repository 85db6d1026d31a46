import { KeysetError } from '@polykms/envelope';
import { type KeyVersionInfo, type KeysetContent, primaryOf } from './keyset-content.js';

/**
 * The version keys of each open keyset, out of reach of the public object: only this package's
 * keyring and operations read them (through `contentOf`), and `close()` zeroes them.
 */
const contents = new WeakMap<Keyset, KeysetContent>();

/** An opened keyset: its id, generation and versions. Hold it while you use its keyring; then close it. */
export class Keyset {
  readonly keysetId: string;
  readonly generation: number;
  readonly versions: readonly KeyVersionInfo[];
  readonly primaryVersion: number;
  #closed = false;

  /** Use `openKeyset`; the keyset takes ownership of the content's keys. */
  constructor(content: KeysetContent) {
    this.keysetId = content.keysetId;
    this.generation = content.generation;
    this.versions = content.versions.map(({ version, state, createdAt }) => ({ version, state, createdAt }));
    this.primaryVersion = primaryOf(content.versions);
    contents.set(this, content);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Zeroes every version key. Anything using the keyset afterwards throws ERR_KEYSET_CLOSED. */
  close(): void {
    const content = contents.get(this);
    for (const v of content?.versions ?? []) v.key.fill(0);
    contents.delete(this);
    this.#closed = true;
  }
}

/** The keys of an open keyset (package-internal). */
export function contentOf(keyset: Keyset): KeysetContent {
  const content = contents.get(keyset);
  if (!content) {
    throw new KeysetError('ERR_KEYSET_CLOSED', `keyset ${keyset.keysetId} is closed: open it again`);
  }
  return content;
}
