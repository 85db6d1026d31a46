import { getEventListeners } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  decryptIterable,
  decryptStream,
  decryptWebStream,
  encrypt,
  encryptIterable,
  encryptStream,
  encryptWebStream,
  inspect,
  isPolykmsError,
} from '@polykms/envelope';
import { BodyDecryptor } from '../src/body/decryptor.js';
import { DecryptionSession } from '../src/stream/decryptor-session.js';
import { bytes, testKeyring } from './stream-test-keyring.js';

const FRAME = 64;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A promise the test settles by hand, for holding a keyring call. */
function gate(): { wait: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait: () => opened, release };
}

/**
 * A source that delivers `first`, then never answers again (a socket gone quiet). Records when
 * the second chunk was asked for and whether the consumer told it to stop.
 */
function idleAfter(first: Uint8Array) {
  const state = { waiting: false, returned: false };
  let served = false;
  const iterator: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    next() {
      if (!served) {
        served = true;
        return Promise.resolve({ done: false, value: first });
      }
      state.waiting = true;
      return new Promise(() => {});
    },
    return() {
      state.returned = true;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { iterator, state };
}

/** Lets pending callbacks, microtasks and stream plumbing run (no clock involved). */
async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await nextTurn();
}

/** How `run` has ended once the event loop has had a few turns, or `pending`. */
async function outcome(run: Promise<unknown>): Promise<unknown> {
  const PENDING = Symbol('pending');
  const ended = run.then(
    () => 'resolved',
    (error: unknown) => error,
  );
  const result = await Promise.race([ended, settle().then(() => PENDING)]);
  return result === PENDING ? 'pending' : result;
}

async function collect(source: AsyncIterable<Uint8Array>, into: Buffer[] = []): Promise<Buffer> {
  for await (const chunk of source) into.push(Buffer.from(chunk));
  return Buffer.concat(into);
}

/** A message and its first chunk: the header and half a frame, so a frame's plaintext is held. */
async function messageWithHeldFrame() {
  const keyring = testKeyring('idle');
  const { message } = await encrypt(bytes(3 * FRAME), { keyring, frameLength: FRAME });
  const first = message.subarray(0, inspect(message).headerLength + 4 + 12 + FRAME / 2);
  return { keyring, first };
}

describe('signal while the source is idle', () => {
  const encryptApis = {
    iterable: (source: AsyncIterable<Uint8Array>, signal: AbortSignal) =>
      collect(encryptIterable(source, { keyring: testKeyring('idle-e'), frameLength: FRAME, signal })),
    'web stream': (source: AsyncIterable<Uint8Array>, signal: AbortSignal) =>
      collect(
        ReadableStream.from(source).pipeThrough(
          encryptWebStream({ keyring: testKeyring('idle-e'), frameLength: FRAME, signal }),
        ),
      ),
  };
  for (const [name, run] of Object.entries(encryptApis)) {
    it(`ends an encrypt ${name} with ERR_CANCELLED while waiting for the next chunk`, async () => {
      const { iterator, state } = idleAfter(bytes(FRAME / 2));
      const controller = new AbortController();
      const running = run(iterator, controller.signal);
      await until(() => state.waiting);
      controller.abort();
      const ended = await outcome(running);
      expect(isPolykmsError(ended, 'ERR_CANCELLED')).toBe(true);
      expect(state.returned).toBe(true);
    });
  }

  const decryptApis = {
    iterable: (source: AsyncIterable<Uint8Array>, options: Parameters<typeof decryptIterable>[1]) =>
      collect(decryptIterable(source, options)),
    'web stream': (source: AsyncIterable<Uint8Array>, options: Parameters<typeof decryptIterable>[1]) =>
      collect(ReadableStream.from(source).pipeThrough(decryptWebStream(options))),
  };
  for (const [name, run] of Object.entries(decryptApis)) {
    it(`ends a decrypt ${name} with ERR_CANCELLED while waiting for the next chunk, zeroing the held frame`, async () => {
      const { keyring, first } = await messageWithHeldFrame();
      const discard = vi.spyOn(DecryptionSession.prototype, 'discard');
      const { iterator, state } = idleAfter(first);
      const controller = new AbortController();
      const running = run(iterator, { keyring, signal: controller.signal });
      await until(() => state.waiting);
      expect(discard).not.toHaveBeenCalled();
      controller.abort();
      const ended = await outcome(running);
      expect(isPolykmsError(ended, 'ERR_CANCELLED')).toBe(true);
      expect(discard).toHaveBeenCalled();
      expect(state.returned).toBe(true);
    });
  }
});

describe('abort while a keyring that ignores the signal is unwrapping', () => {
  async function heldUnwrap() {
    const held = gate();
    let armed = false;
    const keyring = testKeyring('held', { gate: () => (armed ? held.wait() : Promise.resolve()) });
    const { message } = await encrypt(bytes(3 * FRAME + 5), { keyring, frameLength: FRAME });
    armed = true;
    return { held, keyring, message };
  }

  const apis: Record<
    string,
    (
      message: Uint8Array,
      options: Parameters<typeof decryptIterable>[1],
      released: Buffer[],
    ) => Promise<unknown>
  > = {
    iterable: (message, options, released) => collect(decryptIterable([message], options), released),
    'web stream': (message, options, released) =>
      collect(ReadableStream.from([message]).pipeThrough(decryptWebStream(options)), released),
    'Node stream': (message, options, released) => {
      const stream = decryptStream(options);
      stream.on('header', () => released.push(Buffer.from('header event')));
      return pipeline(
        Readable.from([message]),
        stream,
        new Writable({
          write(chunk, _encoding, callback) {
            released.push(chunk);
            callback();
          },
        }),
      );
    },
  };
  for (const [name, run] of Object.entries(apis)) {
    it(`releases no plaintext through the ${name} API when the held call completes after the abort`, async () => {
      const { held, keyring, message } = await heldUnwrap();
      const bodyDiscard = vi.spyOn(BodyDecryptor.prototype, 'discard');
      const controller = new AbortController();
      const released: Buffer[] = [];
      const running = run(message, { keyring, signal: controller.signal }, released);
      const ended = running.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await until(() => keyring.calls.unwrap === 1);
      expect(keyring.log).toEqual(['start held wrap', 'end held wrap', 'start held unwrap']);
      controller.abort();
      await settle();
      expect(bodyDiscard).not.toHaveBeenCalled();
      held.release();
      expect(isPolykmsError(await ended, 'ERR_CANCELLED')).toBe(true);
      // The header is opened (async crypto off the event loop) after the gate; its body, created
      // after the abort, must be discarded rather than fed.
      await vi.waitFor(() => expect(bodyDiscard).toHaveBeenCalled());
      await settle();
      expect(keyring.log).toContain('end held unwrap');
      expect(released).toEqual([]);
    });
  }
});

describe('EncryptStream abort while the keyring is wrapping', () => {
  it('errors with a PolykmsError ERR_CANCELLED before the held wrap completes', async () => {
    const held = gate();
    const keyring = testKeyring('wrap-held', { gate: held.wait });
    const controller = new AbortController();
    const stream = encryptStream({ keyring, signal: controller.signal });
    const errored = new Promise<unknown>((_resolve, reject) => stream.once('error', reject));
    let header = false;
    stream.once('header', () => {
      header = true;
    });
    await until(() => keyring.calls.wrap === 1);
    controller.abort();
    const error = await outcome(errored);
    expect(error).toMatchObject({ code: 'ERR_CANCELLED' });
    expect(isPolykmsError(error, 'ERR_CANCELLED')).toBe(true);
    expect(keyring.log).not.toContain('end wrap-held wrap');
    held.release();
    await settle();
    expect(header).toBe(false);
  });
});

describe('an already-aborted signal', () => {
  it('ends every API with one PolykmsError ERR_CANCELLED and calls no keyring', async () => {
    const keyring = testKeyring('pre-aborted');
    const { message } = await encrypt(bytes(10), { keyring });
    const signal = AbortSignal.abort();
    const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
    const runs = {
      encryptStream: () => pipeline(Readable.from([bytes(10)]), encryptStream({ keyring, signal }), sink()),
      decryptStream: () => pipeline(Readable.from([message]), decryptStream({ keyring, signal }), sink()),
      encryptIterable: () => collect(encryptIterable([bytes(10)], { keyring, signal })),
      decryptIterable: () => collect(decryptIterable([message], { keyring, signal })),
      encryptWebStream: () =>
        collect(ReadableStream.from([bytes(10)]).pipeThrough(encryptWebStream({ keyring, signal }))),
      decryptWebStream: () =>
        collect(ReadableStream.from([message]).pipeThrough(decryptWebStream({ keyring, signal }))),
    };
    const calls = { ...keyring.calls };
    for (const [name, run] of Object.entries(runs)) {
      const error = await run().then(
        () => 'resolved',
        (caught: unknown) => caught,
      );
      // The PolykmsError itself, not an AggregateError that merely copies its code.
      expect(isPolykmsError(error, 'ERR_CANCELLED'), name).toBe(true);
    }
    await settle();
    expect(keyring.calls).toEqual(calls);
  });
});

describe('abort listeners', () => {
  it('are removed once a Node stream has processed all its input, even if its output is never read', async () => {
    const keyring = testKeyring('listeners');
    const { message } = await encrypt(bytes(10), { keyring });
    const { signal } = new AbortController();
    const encrypting = encryptStream({ keyring, signal });
    const decrypting = decryptStream({ keyring, signal });
    await until(() => encrypting.header !== undefined);
    expect(getEventListeners(signal, 'abort')).toHaveLength(2);
    const finished = [encrypting, decrypting].map((s) => new Promise((resolve) => s.once('finish', resolve)));
    encrypting.end(bytes(10));
    decrypting.end(message);
    await Promise.all(finished);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('are removed when a web stream ends', async () => {
    const keyring = testKeyring('listeners-web');
    const { signal } = new AbortController();
    const message = await collect(
      ReadableStream.from([bytes(10)]).pipeThrough(encryptWebStream({ keyring, signal })),
    );
    await collect(ReadableStream.from([message]).pipeThrough(decryptWebStream({ keyring, signal })));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
