/**
 * One streamed run in a fresh process, so that its peak memory is its own: prints one JSON line
 * with the elapsed time and the process's peak RSS. Usage:
 *   node stream-probe.js <ours|aws|raw>-<encrypt|decrypt|prepare> <bytes> <frameLength> [file]
 * BENCH_WORKERS=n runs ours on n worker threads (default 0: the calling thread).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RAW_KEY } from './raw-gcm.js';

/** What fs streams read at a time by default. */
const CHUNK = 64 * 1024;

/** `total` bytes in 1 MiB chunks, all views of one random block (never mutated). */
function source(total: number): Readable {
  const block = randomBytes(CHUNK);
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, total - sent);
      sent += n;
      this.push(n === CHUNK ? block : block.subarray(0, n));
    },
  });
}

function fileSource(path: string): Readable {
  return createReadStream(path, { highWaterMark: CHUNK });
}

function discard(): Writable {
  return new Writable({ highWaterMark: CHUNK, write: (_chunk, _encoding, callback) => callback() });
}

function rawTransform(decrypting: boolean): Transform {
  const iv = randomBytes(12);
  const cipher = decrypting
    ? createDecipheriv('aes-256-gcm', RAW_KEY, iv)
    : createCipheriv('aes-256-gcm', RAW_KEY, iv);
  return new Transform({
    transform(chunk, _encoding, callback) {
      callback(null, cipher.update(chunk));
    },
  });
}

/**
 * This process's RSS high-water mark (VmHWM). Not resourceUsage().maxRSS: on Linux that survives
 * fork + exec, so a child would report its parent's peak.
 */
function peakRssMiB(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

const [mode = '', sizeArg = '0', frameArg = '65536', file = ''] = process.argv.slice(2);
const size = Number(sizeArg);
const frameLength = Number(frameArg);
// Each mode loads only its own library: client-node's module graph alone costs tens of MiB of RSS.
const ours = mode.startsWith('ours') ? await import('@polykms/envelope') : undefined;
const theirs = mode.startsWith('aws') ? await import('./client-node.js') : undefined;
const { ourKeyring } = await import('./keyrings.js');
const workers = Number(process.env['BENCH_WORKERS'] ?? 0);
const baselineRss = process.memoryUsage().rss;
const start = performance.now();

switch (mode) {
  case 'ours-encrypt':
    await pipeline(
      source(size),
      ours!.encryptStream({ keyring: ourKeyring(), frameLength, workers }),
      discard(),
    );
    break;
  case 'ours-prepare':
    await pipeline(
      source(size),
      ours!.encryptStream({ keyring: ourKeyring(), frameLength }),
      createWriteStream(file),
    );
    break;
  case 'ours-decrypt':
    await pipeline(fileSource(file), ours!.decryptStream({ keyring: ourKeyring(), workers }), discard());
    break;
  case 'aws-encrypt':
    await pipeline(
      source(size),
      theirs!.aws.encryptStream(theirs!.awsKeyring(), { suiteId: theirs!.AWS_SUITE, frameLength }),
      discard(),
    );
    break;
  case 'aws-prepare':
    await pipeline(
      source(size),
      theirs!.aws.encryptStream(theirs!.awsKeyring(), { suiteId: theirs!.AWS_SUITE, frameLength }),
      createWriteStream(file),
    );
    break;
  case 'aws-decrypt':
    await pipeline(
      fileSource(file),
      theirs!.aws.decryptUnsignedMessageStream(theirs!.awsKeyring()),
      discard(),
    );
    break;
  case 'raw-encrypt':
    await pipeline(source(size), rawTransform(false), discard());
    break;
  case 'raw-decrypt':
    await pipeline(fileSource(file), rawTransform(true), discard());
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}

const ms = performance.now() - start;
console.log(
  JSON.stringify({
    mode,
    ms,
    maxRssMiB: peakRssMiB(),
    baselineRssMiB: baselineRss / 1024 / 1024,
  }),
);
