import { throwIfAborted } from './cancellation.js';
import { DecryptionSession } from './decryptor-session.js';
import { EncryptionSession } from './encryptor-session.js';
import type { StreamDecryptOptions, StreamEncryptOptions } from './options.js';

type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Encrypts chunks pulled from `source` into message bytes. Pull-based: nothing is read from the
 * source faster than the consumer takes the output.
 */
export async function* encryptIterable(
  source: ByteSource,
  options: StreamEncryptOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  throwIfAborted(options.signal);
  const session = await EncryptionSession.start(options);
  for await (const chunk of source) {
    throwIfAborted(options.signal);
    yield* session.push(chunk);
  }
  throwIfAborted(options.signal);
  yield* session.finish();
}

/**
 * Decrypts message bytes pulled from `source`, yielding only authenticated plaintext. Throws
 * (never returns normally) if the message is truncated, tampered with or followed by extra bytes.
 */
export async function* decryptIterable(
  source: ByteSource,
  options: StreamDecryptOptions,
): AsyncGenerator<Buffer, void, undefined> {
  throwIfAborted(options.signal);
  const session = new DecryptionSession(options);
  try {
    for await (const chunk of source) {
      throwIfAborted(options.signal);
      yield* await session.push(chunk);
    }
    throwIfAborted(options.signal);
    yield* await session.finish();
  } finally {
    session.discard();
  }
}
