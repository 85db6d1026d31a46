import type { Transform } from 'node:stream';
import type { RecipientFailure } from '../errors.js';
import type { MessageHeader } from '../format/header.js';
import { HeaderRewriteStream } from './header-rewrite-stream.js';
import { assertHeaderOnlyAllowed } from './header-rewrite.js';
import type { RewrapOptions } from './options.js';
import { ReencryptStream } from './reencrypt-stream.js';

/** What `rewrapStream` returns, whichever the method. */
export interface RewrapStream extends Transform {
  /** The new header, once written. */
  readonly header: MessageHeader | undefined;
  /** New recipients a multi-keyring could not wrap for under a partial policy. */
  readonly missingRecipients: readonly RecipientFailure[];
}

/**
 * `rewrap` as a Transform, in constant memory: by default a `ReencryptStream` (new message id,
 * new data key, new body); with `method: 'header-only'`, a `HeaderRewriteStream`.
 */
export function rewrapStream(options: RewrapOptions): RewrapStream {
  if (options.method === 'header-only') {
    assertHeaderOnlyAllowed(options);
    return new HeaderRewriteStream(options);
  }
  return new ReencryptStream(options);
}
