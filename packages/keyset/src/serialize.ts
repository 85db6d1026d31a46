import { MalformedMessageError } from '@polykms/envelope';
import type { KeyVersion, KeysetContent, VersionState } from './keyset-content.js';
import { KEYSET_ID_BYTES, MAX_GENERATION, MAX_KEYSET_VERSIONS, VERSION_KEY_BYTES } from './limits.js';

/**
 * The keyset plaintext (FORMAT.md, "Keyset plaintext"): "PKKS" ‖ u8 layout (1) ‖ keyset id (16) ‖
 * u32 generation ‖ u16 version count, then per version u32 number ‖ u8 state ‖ u64 created (ms
 * since the epoch) ‖ key (32). Binary and fixed-size so that there is exactly one encoding of a
 * keyset and every length is known before it is read.
 */
const MAGIC = Buffer.from('PKKS', 'latin1');
const LAYOUT = 1;
const HEAD_BYTES = MAGIC.length + 1 + KEYSET_ID_BYTES + 4 + 2;
const VERSION_BYTES = 4 + 1 + 8 + VERSION_KEY_BYTES;

const STATE_CODES: Readonly<Record<VersionState, number>> = { primary: 1, active: 2, retired: 3 };
const STATES: readonly (VersionState | undefined)[] = [undefined, 'primary', 'active', 'retired'];

/** The caller zeroes the result (it holds every version key). */
export function encodeKeyset(content: KeysetContent): Buffer {
  const out = Buffer.alloc(HEAD_BYTES + VERSION_BYTES * content.versions.length);
  MAGIC.copy(out, 0);
  out.writeUInt8(LAYOUT, 4);
  Buffer.from(content.keysetId, 'hex').copy(out, 5);
  out.writeUInt32BE(content.generation, 5 + KEYSET_ID_BYTES);
  out.writeUInt16BE(content.versions.length, 9 + KEYSET_ID_BYTES);
  let at = HEAD_BYTES;
  for (const v of content.versions) {
    out.writeUInt32BE(v.version, at);
    out.writeUInt8(STATE_CODES[v.state], at + 4);
    out.writeBigUInt64BE(BigInt(v.createdAt.getTime()), at + 5);
    v.key.copy(out, at + 13);
    at += VERSION_BYTES;
  }
  return out;
}

function malformed(what: string): MalformedMessageError {
  return new MalformedMessageError(`the keyset plaintext ${what}`);
}

/**
 * Parses and checks a keyset plaintext. Every version key is copied out, so the caller may zero
 * `bytes`; on failure, the keys copied so far are zeroed.
 */
export function decodeKeyset(bytes: Uint8Array): KeysetContent {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (input.length < HEAD_BYTES || !input.subarray(0, 4).equals(MAGIC))
    throw malformed('has no keyset header');
  if (input.readUInt8(4) !== LAYOUT) throw malformed(`has layout ${input.readUInt8(4)}; this reads 1`);
  const keysetId = input.subarray(5, 5 + KEYSET_ID_BYTES).toString('hex');
  const generation = input.readUInt32BE(5 + KEYSET_ID_BYTES);
  const count = input.readUInt16BE(9 + KEYSET_ID_BYTES);
  if (generation < 1 || generation > MAX_GENERATION) throw malformed('has generation 0');
  if (count < 1 || count > MAX_KEYSET_VERSIONS) {
    throw malformed(`holds ${count} versions; a keyset holds 1 to ${MAX_KEYSET_VERSIONS}`);
  }
  if (input.length !== HEAD_BYTES + count * VERSION_BYTES) {
    throw malformed(`is ${input.length} bytes; ${count} versions take ${HEAD_BYTES + count * VERSION_BYTES}`);
  }
  const versions: KeyVersion[] = [];
  try {
    for (let i = 0, at = HEAD_BYTES; i < count; i++, at += VERSION_BYTES) {
      versions.push(readVersion(input, at, versions[i - 1]?.version ?? 0));
    }
    if (versions.filter((v) => v.state === 'primary').length !== 1) throw malformed('has no single primary');
    return { keysetId, generation, versions };
  } catch (error) {
    for (const v of versions) v.key.fill(0);
    throw error;
  }
}

function readVersion(input: Buffer, at: number, previous: number): KeyVersion {
  const version = input.readUInt32BE(at);
  const state = STATES[input.readUInt8(at + 4)];
  const created = input.readBigUInt64BE(at + 5);
  if (version <= previous) throw malformed('lists versions out of order or twice');
  if (state === undefined) throw malformed(`gives version ${version} an unknown state`);
  if (created > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`gives version ${version} no valid time`);
  const key = Buffer.from(input.subarray(at + 13, at + 13 + VERSION_KEY_BYTES));
  return { version, state, createdAt: new Date(Number(created)), key };
}
