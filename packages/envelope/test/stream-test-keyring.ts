import { setTimeout as sleep } from 'node:timers/promises';
import { type Keyring, KmsError } from '@polykms/envelope';
import { aesTestKeyring, isTestKeyringEdk } from './support/keyrings.js';

export interface TestKeyring extends Keyring {
  readonly calls: { wrap: number; unwrap: number };
  /** `start <name> wrap`, `end <name> wrap`, … in the order they happened. */
  readonly log: string[];
  /** While true, every call fails with ERR_UNAVAILABLE. */
  down: boolean;
}

export interface TestKeyringOptions {
  /** Resolve each call after this many milliseconds (to observe overlap, never to time). */
  readonly delayMs?: number;
  /** A shared log to record call starts and ends in. */
  readonly log?: string[];
  /** Each call ends only once the promise this returns settles: holds calls in flight for a test. */
  readonly gate?: () => Promise<unknown>;
}

/**
 * An AES-256-GCM keyring for tests of the envelope package on its own: counts its calls, can be
 * slowed down or taken down, and owns only EDKs with its own name.
 */
export function testKeyring(name: string, options: TestKeyringOptions = {}): TestKeyring {
  const inner = aesTestKeyring(name);
  const log = options.log ?? [];
  const observe = async (operation: 'wrap' | 'unwrap') => {
    keyring.calls[operation]++;
    log.push(`start ${name} ${operation}`);
    if (options.delayMs) await sleep(options.delayMs);
    if (options.gate) await options.gate();
    log.push(`end ${name} ${operation}`);
    if (keyring.down) throw unavailable(name, operation === 'wrap' ? 'Encrypt' : 'Decrypt');
  };
  const keyring: TestKeyring = {
    description: inner.description,
    calls: { wrap: 0, unwrap: 0 },
    log,
    down: false,
    async wrap(request) {
      await observe('wrap');
      return inner.wrap(request);
    },
    async unwrap(request) {
      // Like a KMS keyring: no call at all for EDKs that are not its own.
      if (!request.encryptedDataKeys.some((edk) => isTestKeyringEdk(name, edk))) return null;
      await observe('unwrap');
      return inner.unwrap(request);
    },
  };
  return keyring;
}

function unavailable(name: string, operation: string): KmsError {
  return new KmsError({ code: 'ERR_UNAVAILABLE', provider: 'test', keyId: name, operation });
}

/** Deterministic pseudo-random bytes (fast, reproducible across runs). */
export function bytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
