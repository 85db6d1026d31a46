import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type EncryptionContext, serializeEncryptionContext } from '@polykms/envelope/driver';
import { ServiceError } from './service-errors.js';

/**
 * A toy KMS that lives in memory: AES-256-GCM keys with versions, enabled or disabled, behind a
 * client that behaves like a cloud SDK (async calls, an abort signal, named errors). Its admin
 * side (disable, rotate, deny, faults, call counter) is what a conformance harness drives.
 * It stands in for a real service so that the adapter in keyring.ts is a complete example.
 */

export type Operation = 'GenerateDataKey' | 'Encrypt' | 'Decrypt';

export interface KeySelector {
  /** Only this key; undefined = every key. */
  readonly keyId?: string | undefined;
  /** Only these operations; undefined = every operation. */
  readonly operations?: readonly Operation[] | undefined;
}

export interface FaultSpec extends KeySelector {
  readonly kind: 'throttle' | 'unavailable' | 'latency';
  /** Calls it affects; undefined = until cleared. */
  readonly count?: number | undefined;
  readonly latencyMs?: number | undefined;
}

interface KeyRecord {
  readonly id: string;
  readonly versions: Buffer[];
  enabled: boolean;
}

const VERSION_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_DATA_KEY_BYTES = 1024;

function matches(selector: KeySelector, keyId: string, operation: Operation): boolean {
  return (
    (selector.keyId === undefined || selector.keyId === keyId) &&
    (selector.operations === undefined || selector.operations.includes(operation))
  );
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class InMemoryKms {
  readonly #keys = new Map<string, KeyRecord>();
  #faults: { spec: FaultSpec; remaining: number }[] = [];
  #denied: KeySelector[] = [];
  #calls = 0;

  /** Creates a key with one version; returns its id, `imkms:<account>:<name>`. */
  createKey(account: string, name: string): string {
    const id = `imkms:${account}:${name}`;
    this.#keys.set(id, { id, versions: [randomBytes(32)], enabled: true });
    return id;
  }

  disableKey(keyId: string): void {
    this.#key(keyId).enabled = false;
  }

  enableKey(keyId: string): void {
    this.#key(keyId).enabled = true;
  }

  /** Adds a version that new encryptions use; older versions keep decrypting. */
  rotateKey(keyId: string): void {
    this.#key(keyId).versions.push(randomBytes(32));
  }

  /**
   * The key material of every version: what a real KMS never hands out. The harness declares it
   * as secrets, so the suite checks that no error, event or log of the adapter contains it.
   */
  keyMaterial(keyId: string): readonly Uint8Array[] {
    return [...this.#key(keyId).versions];
  }

  currentVersion(keyId: string): number {
    return this.#key(keyId).versions.length;
  }

  deny(selector: KeySelector): void {
    this.#denied.push(selector);
  }

  allow(): void {
    this.#denied = [];
  }

  injectFault(spec: FaultSpec): void {
    this.#faults.push({ spec, remaining: spec.count ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.#faults = [];
  }

  /** Every call received, including the ones that failed. */
  get callCount(): number {
    return this.#calls;
  }

  /** A client whose credential holds `permissions` (both by default). */
  connect(options: { permissions?: readonly ('encrypt' | 'decrypt')[] } = {}): InMemoryKmsClient {
    return new InMemoryKmsClient(this, new Set(options.permissions ?? ['encrypt', 'decrypt']));
  }

  #key(keyId: string): KeyRecord {
    const key = this.#keys.get(keyId);
    if (!key) throw new ServiceError('NotFoundException', `key ${keyId} does not exist`);
    return key;
  }

  /** Admission in the order a cloud applies it: faults, existence, permission, key state. */
  async admit(
    operation: Operation,
    keyId: string,
    permitted: boolean,
    signal: AbortSignal | undefined,
  ): Promise<KeyRecord> {
    this.#calls += 1;
    for (const fault of [...this.#faults]) {
      if (!matches(fault.spec, keyId, operation)) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#faults = this.#faults.filter((f) => f !== fault);
      if (fault.spec.kind === 'latency') await sleep(fault.spec.latencyMs ?? 0, signal);
      else if (fault.spec.kind === 'throttle') throw new ServiceError('ThrottlingException', 'rate exceeded');
      else throw new ServiceError('ServiceUnavailableException', 'the service is unavailable');
    }
    const key = this.#key(keyId);
    if (!permitted || this.#denied.some((d) => matches(d, keyId, operation))) {
      throw new ServiceError('AccessDeniedException', `not authorized to perform ${operation} on ${keyId}`);
    }
    if (!key.enabled) throw new ServiceError('DisabledException', `key ${keyId} is disabled`);
    return key;
  }
}

function aad(keyId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([Buffer.from(`${keyId}\u0000`, 'utf8'), serializeEncryptionContext(context)]);
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface EncryptResponse {
  readonly keyId: string;
  readonly version: number;
  readonly ciphertext: Uint8Array;
}

export interface DecryptResponse {
  readonly keyId: string;
  readonly version: number;
  readonly plaintext: Uint8Array;
}

/** What a cloud SDK client would be. Ciphertext blob: u32 version ‖ IV ‖ AES-GCM ciphertext ‖ tag. */
export class InMemoryKmsClient {
  readonly #kms: InMemoryKms;
  readonly #permissions: ReadonlySet<string>;

  constructor(kms: InMemoryKms, permissions: ReadonlySet<string>) {
    this.#kms = kms;
    this.#permissions = permissions;
  }

  async generateDataKey(
    input: { keyId: string; numberOfBytes: number; context: EncryptionContext },
    options: CallOptions = {},
  ): Promise<EncryptResponse & { plaintext: Uint8Array }> {
    const key = await this.#kms.admit(
      'GenerateDataKey',
      input.keyId,
      this.#permissions.has('encrypt'),
      options.signal,
    );
    if (
      !Number.isInteger(input.numberOfBytes) ||
      input.numberOfBytes < 1 ||
      input.numberOfBytes > MAX_DATA_KEY_BYTES
    ) {
      throw new RangeError('numberOfBytes out of range');
    }
    const plaintext = randomBytes(input.numberOfBytes);
    return { ...seal(key, plaintext, input.context), plaintext };
  }

  async encrypt(
    input: { keyId: string; plaintext: Uint8Array; context: EncryptionContext },
    options: CallOptions = {},
  ): Promise<EncryptResponse> {
    const key = await this.#kms.admit(
      'Encrypt',
      input.keyId,
      this.#permissions.has('encrypt'),
      options.signal,
    );
    return seal(key, input.plaintext, input.context);
  }

  async decrypt(
    input: { keyId: string; ciphertext: Uint8Array; context: EncryptionContext },
    options: CallOptions = {},
  ): Promise<DecryptResponse> {
    const key = await this.#kms.admit(
      'Decrypt',
      input.keyId,
      this.#permissions.has('decrypt'),
      options.signal,
    );
    const blob = Buffer.from(input.ciphertext);
    const invalid = new ServiceError('InvalidCiphertextException', 'the ciphertext is invalid for this key');
    if (blob.length < VERSION_BYTES + IV_BYTES + TAG_BYTES) throw invalid;
    const version = blob.readUInt32BE(0);
    const material = key.versions[version - 1];
    if (material === undefined) throw invalid;
    const iv = blob.subarray(VERSION_BYTES, VERSION_BYTES + IV_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', material, iv);
    decipher.setAAD(aad(key.id, input.context));
    decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
    const body = blob.subarray(VERSION_BYTES + IV_BYTES, blob.length - TAG_BYTES);
    const opened = decipher.update(body);
    try {
      return { keyId: key.id, version, plaintext: Buffer.concat([opened, decipher.final()]) };
    } catch {
      throw invalid;
    } finally {
      opened.fill(0);
    }
  }
}

function seal(key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext): EncryptResponse {
  const version = key.versions.length;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.versions[version - 1]!, iv);
  cipher.setAAD(aad(key.id, context));
  const header = Buffer.alloc(VERSION_BYTES);
  header.writeUInt32BE(version);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { keyId: key.id, version, ciphertext: Buffer.concat([header, iv, body, cipher.getAuthTag()]) };
}
