import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  type StreamDecryptOptions,
  type StreamEncryptOptions,
  decryptIterable,
  decryptStream,
  decryptWebStream,
  encrypt,
  encryptIterable,
  encryptStream,
  encryptWebStream,
  inspect,
} from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';

const FRAME = 64;
const keyring = testKeyring('on-header');

async function collect(source: AsyncIterable<Uint8Array>, log: string[]): Promise<void> {
  for await (const chunk of source) if (chunk.length > 0) log.push('chunk');
}

function nodeRun(stream: NodeJS.ReadWriteStream, chunks: Uint8Array[], log: string[]): Promise<void> {
  return pipeline(
    Readable.from(chunks),
    stream,
    new Writable({
      write(_chunk, _encoding, callback) {
        log.push('chunk');
        callback();
      },
    }),
  );
}

type Run<O> = (chunks: Uint8Array[], options: O, log: string[]) => Promise<void>;
const encryptApis: Record<string, Run<StreamEncryptOptions>> = {
  'Node stream': (chunks, options, log) => nodeRun(encryptStream(options), chunks, log),
  iterable: (chunks, options, log) => collect(encryptIterable(chunks, options), log),
  'web stream': (chunks, options, log) =>
    collect(ReadableStream.from(chunks).pipeThrough(encryptWebStream(options)), log),
};
const decryptApis: Record<string, Run<StreamDecryptOptions>> = {
  'Node stream': (chunks, options, log) => nodeRun(decryptStream(options), chunks, log),
  iterable: (chunks, options, log) => collect(decryptIterable(chunks, options), log),
  'web stream': (chunks, options, log) =>
    collect(ReadableStream.from(chunks).pipeThrough(decryptWebStream(options)), log),
};

describe('onHeader', () => {
  for (const [name, run] of Object.entries(encryptApis)) {
    it(`reports the header and missing recipients once, before the first byte (encrypt ${name})`, async () => {
      const log: string[] = [];
      const seen: unknown[] = [];
      await run(
        [bytes(3 * FRAME)],
        {
          keyring,
          frameLength: FRAME,
          encryptionContext: { purpose: 'test' },
          onHeader: (info) => {
            log.push('header');
            seen.push(info);
          },
        },
        log,
      );
      expect(log[0]).toBe('header');
      expect(log.filter((entry) => entry === 'header')).toHaveLength(1);
      expect(log.length).toBeGreaterThan(1);
      expect(seen[0]).toMatchObject({
        header: { frameLength: FRAME, encryptionContext: { purpose: 'test' } },
        missingRecipients: [],
      });
    });
  }

  for (const [name, run] of Object.entries(decryptApis)) {
    it(`reports the authenticated header once, before the first plaintext (decrypt ${name})`, async () => {
      const { message } = await encrypt(bytes(3 * FRAME), {
        keyring,
        frameLength: FRAME,
        encryptionContext: { purpose: 'test' },
      });
      const headerLength = inspect(message).headerLength;
      // The header split over two chunks, so that it is opened by a later step than the first.
      const chunks = [
        message.subarray(0, 10),
        message.subarray(10, headerLength + 40),
        message.subarray(headerLength + 40),
      ];
      const log: string[] = [];
      const seen: unknown[] = [];
      await run(
        chunks,
        {
          keyring,
          onHeader: (info) => {
            log.push('header');
            seen.push(info);
          },
        },
        log,
      );
      expect(log[0]).toBe('header');
      expect(log.filter((entry) => entry === 'header')).toHaveLength(1);
      expect(log.length).toBeGreaterThan(1);
      expect(seen[0]).toMatchObject({
        header: { frameLength: FRAME },
        encryptionContext: { purpose: 'test' },
        encryptedDataKey: { providerId: expect.any(String) },
      });
    });

    it(`ends the stream with what onHeader throws, releasing nothing (decrypt ${name})`, async () => {
      const { message } = await encrypt(bytes(3 * FRAME), { keyring, frameLength: FRAME });
      const log: string[] = [];
      const refused = new Error('not this sender');
      const run_ = run(
        [message],
        {
          keyring,
          onHeader: () => {
            throw refused;
          },
        },
        log,
      );
      await expect(run_).rejects.toBe(refused);
      expect(log).toEqual([]);
    });
  }
});
