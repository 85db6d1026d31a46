import { cancelledError, onAbort, throwIfAborted, untilAborted } from './cancellation.js';
import { DecryptionSession } from './decryptor-session.js';
import { EncryptionSession } from './encryptor-session.js';
import type { StreamDecryptOptions, StreamEncryptOptions } from './options.js';

function enqueueAll(controller: TransformStreamDefaultController<Uint8Array>, parts: readonly Uint8Array[]) {
  for (const part of parts) if (part.length > 0) controller.enqueue(part);
}

/**
 * A WHATWG TransformStream that encrypts its input into one message (`readable.pipeThrough(it)`).
 * `options.signal` errors both sides with ERR_CANCELLED at once, even while the input is idle.
 */
export function encryptWebStream(options: StreamEncryptOptions): TransformStream<Uint8Array, Uint8Array> {
  const { signal } = options;
  let session: EncryptionSession;
  let stopListening = () => {};
  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      throwIfAborted(signal);
      stopListening = onAbort(signal, () => controller.error(cancelledError(signal!)));
      try {
        session = await untilAborted(EncryptionSession.start(options), signal);
        throwIfAborted(signal);
        options.onHeader?.({ header: session.header, missingRecipients: session.missingRecipients });
      } catch (error) {
        stopListening();
        throw error;
      }
    },
    async transform(chunk, controller) {
      try {
        throwIfAborted(signal);
        const step = session.push(chunk);
        enqueueAll(controller, Array.isArray(step) ? step : await untilAborted(step, signal));
      } catch (error) {
        stopListening();
        session.discard();
        throw error;
      }
    },
    async flush(controller) {
      try {
        throwIfAborted(signal);
        const step = session.finish();
        enqueueAll(controller, Array.isArray(step) ? step : await untilAborted(step, signal));
      } catch (error) {
        session.discard();
        throw error;
      } finally {
        stopListening();
      }
    },
    cancel() {
      stopListening();
      session?.discard();
    },
  });
}

/**
 * A WHATWG TransformStream that decrypts one message, emitting only authenticated plaintext.
 * `options.signal` errors both sides with ERR_CANCELLED at once, even while the input or the
 * keyring is idle; plaintext a keyring call completes after the abort is zeroed, never emitted.
 */
export function decryptWebStream(options: StreamDecryptOptions): TransformStream<Uint8Array, Uint8Array> {
  const { signal } = options;
  const session = new DecryptionSession(options);
  let stopListening = () => {};
  const abandon = () => {
    stopListening();
    session.discard();
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      // Not a throw: a synchronous start() that throws makes the TransformStream constructor throw.
      if (signal?.aborted) return controller.error(cancelledError(signal));
      stopListening = onAbort(signal, () => {
        session.discard();
        controller.error(cancelledError(signal!));
      });
    },
    async transform(chunk, controller) {
      try {
        throwIfAborted(signal);
        enqueueAll(controller, await session.released(session.push(chunk)));
      } catch (error) {
        abandon();
        throw error;
      }
    },
    async flush(controller) {
      try {
        throwIfAborted(signal);
        enqueueAll(controller, await session.released(session.finish()));
      } finally {
        abandon();
      }
    },
    cancel() {
      abandon();
    },
  });
}
