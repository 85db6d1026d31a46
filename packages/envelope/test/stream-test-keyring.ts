import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EncryptedDataKey, type Keyring, KmsError } from '@polykms/envelope';

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
}

/**
 * An AES-256-GCM keyring for tests of the envelope package on its own: counts its calls, can be
 * slowed down or taken down, and owns only EDKs with its own name.
 */
export function testKeyring(name: string, options: TestKeyringOptions = {}): TestKeyring {
  const kek = randomBytes(32);
  const log = options.log ?? [];
  const keyring: TestKeyring = {
    description: `test ${name}`,
    calls: { wrap: 0, unwrap: 0 },
    log,
    down: false,
    async wrap(request) {
      keyring.calls.wrap++;
      log.push(`start ${name} wrap`);
      if (options.delayMs) await sleep(options.delayMs);
      log.push(`end ${name} wrap`);
      if (keyring.down) throw unavailable(name, 'Encrypt');
      const dataKey = request.dataKey ? undefined : randomBytes(request.suite.keyLength);
      const key = request.dataKey ?? dataKey!;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv);
      const ciphertext = Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
      return {
        dataKey,
        encryptedDataKeys: [{ providerId: 'test', providerInfo: Buffer.from(name), ciphertext }],
      };
    },
    async unwrap(request) {
      const mine = request.encryptedDataKeys.find(
        (edk: EncryptedDataKey) =>
          edk.providerId === 'test' && Buffer.from(edk.providerInfo).toString() === name,
      );
      if (!mine) return null;
      keyring.calls.unwrap++;
      log.push(`start ${name} unwrap`);
      if (options.delayMs) await sleep(options.delayMs);
      log.push(`end ${name} unwrap`);
      if (keyring.down) throw unavailable(name, 'Decrypt');
      const c = Buffer.from(mine.ciphertext);
      const decipher = createDecipheriv('aes-256-gcm', kek, c.subarray(0, 12));
      decipher.setAuthTag(c.subarray(c.length - 16));
      const dataKey = Buffer.concat([decipher.update(c.subarray(12, c.length - 16)), decipher.final()]);
      return { dataKey, encryptedDataKey: mine };
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
