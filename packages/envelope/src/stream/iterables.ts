import { throwIfAborted, untilAborted } from './cancellation.js';
import { DecryptionSession } from './decryptor-session.js';
import { EncryptionSession, type Step } from './encryptor-session.js';
import type { StreamDecryptOptions, StreamEncryptOptions } from './options.js';

type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

function iterate(source: ByteSource): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

/**
 * The source's next chunk, or ERR_CANCELLED as soon as `signal` aborts even if the source is
 * idle. On abort the source is told to stop, without waiting for it: an idle source may never answer.
 */
async function nextChunk(
  iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<Uint8Array>> {
  try {
    return await untilAborted(Promise.resolve(iterator.next()), signal);
  } catch (error) {
    if (signal?.aborted) void Promise.resolve(iterator.return?.()).catch(() => {});
    throw error;
  }
}

/**
 * Encrypts chunks pulled from `source` into message bytes. Pull-based: nothing is read from the
 * source faster than the consumer takes the output. `options.signal` ends it with ERR_CANCELLED
 * at once, even while the source or the keyring is idle.
 */
export async function* encryptIterable(
  source: ByteSource,
  options: StreamEncryptOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const { signal } = options;
  throwIfAborted(signal);
  const session = await untilAborted(EncryptionSession.start(options), signal);
  throwIfAborted(signal);
  options.onHeader?.({ header: session.header, missingRecipients: session.missingRecipients });
  const iterator = iterate(source);
  let completed = false;
  try {
    for (let next = await nextChunk(iterator, signal); !next.done; next = await nextChunk(iterator, signal)) {
      throwIfAborted(signal);
      yield* await settled(session.push(next.value), signal);
    }
    completed = true;
  } finally {
    // Closes the source when the consumer stops early or a chunk is refused (as for-await would).
    if (!completed) session.discard();
    if (!completed && !signal?.aborted) await iterator.return?.();
  }
  try {
    throwIfAborted(signal);
    yield* await settled(session.finish(), signal);
  } catch (error) {
    session.discard();
    throw error;
  }
}

/** A step's bytes: at once, or (workers) once its window is sealed, unless `signal` aborts first. */
async function settled(step: Step, signal: AbortSignal | undefined): Promise<Uint8Array[]> {
  return Array.isArray(step) ? step : untilAborted(step, signal);
}

/**
 * Decrypts message bytes pulled from `source`, yielding only authenticated plaintext. Throws
 * (never returns normally) if the message is truncated, tampered with or followed by extra bytes.
 * `options.signal` ends it with ERR_CANCELLED at once, even while the source or the keyring is
 * idle; plaintext the keyring call completes after the abort is zeroed, never yielded.
 */
export async function* decryptIterable(
  source: ByteSource,
  options: StreamDecryptOptions,
): AsyncGenerator<Buffer, void, undefined> {
  const { signal } = options;
  throwIfAborted(signal);
  const session = new DecryptionSession(options);
  const iterator = iterate(source);
  let completed = false;
  try {
    for (let next = await nextChunk(iterator, signal); !next.done; next = await nextChunk(iterator, signal)) {
      throwIfAborted(signal);
      yield* await session.released(session.push(next.value));
    }
    completed = true;
    yield* await session.released(session.finish());
  } finally {
    // A keyring call still in flight is ended by the session itself: discard() marks it abandoned.
    session.discard();
    if (!completed && !signal?.aborted) await iterator.return?.();
  }
}
