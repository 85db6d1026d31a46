import { DecryptionSession } from './decryptor-session.js';
import { EncryptionSession } from './encryptor-session.js';
import type { StreamDecryptOptions, StreamEncryptOptions } from './options.js';
import { throwIfAborted } from './cancellation.js';

function enqueueAll(controller: TransformStreamDefaultController<Uint8Array>, parts: readonly Uint8Array[]) {
  for (const part of parts) if (part.length > 0) controller.enqueue(part);
}

/** A WHATWG TransformStream that encrypts its input into one message (`readable.pipeThrough(it)`). */
export function encryptWebStream(options: StreamEncryptOptions): TransformStream<Uint8Array, Uint8Array> {
  let session: EncryptionSession;
  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      session = await EncryptionSession.start(options);
    },
    transform(chunk, controller) {
      throwIfAborted(options.signal);
      enqueueAll(controller, session.push(chunk));
    },
    flush(controller) {
      throwIfAborted(options.signal);
      enqueueAll(controller, session.finish());
    },
  });
}

/** A WHATWG TransformStream that decrypts one message, emitting only authenticated plaintext. */
export function decryptWebStream(options: StreamDecryptOptions): TransformStream<Uint8Array, Uint8Array> {
  const session = new DecryptionSession(options);
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      try {
        throwIfAborted(options.signal);
        enqueueAll(controller, await session.push(chunk));
      } catch (error) {
        session.discard();
        throw error;
      }
    },
    async flush(controller) {
      try {
        throwIfAborted(options.signal);
        enqueueAll(controller, await session.finish());
      } finally {
        session.discard();
      }
    },
    cancel() {
      session.discard();
    },
  });
}
