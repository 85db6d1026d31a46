import { randomBytes } from 'node:crypto';
import { Suites, decrypt, encrypt, isPolykmsError } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { KeysetKeyring, createKeyset, openKeyset, rotateKeyset } from '../src/index.js';
import { aesKeyring } from './support.js';

/** polykms decrypts a keyset as plain bytes only for a caller that expects its purpose. */
const KEYSET_EXPECTED = { 'polykms:purpose': 'keyset/v1' };

function encodings(secret: Uint8Array): string[] {
  const b = Buffer.from(secret);
  return [
    b.toString('hex'),
    b.toString('base64'),
    b.toString('base64url'),
    b.toString('latin1'),
    [...b].join(','),
  ];
}

function everythingSaid(error: unknown, depth = 0): string {
  if (depth > 5 || error === undefined || error === null) return '';
  const e = error as { message?: unknown; stack?: unknown; cause?: unknown; failures?: { error: unknown }[] };
  return [
    String(e.message),
    String(e.stack),
    JSON.stringify(error, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)),
    everythingSaid(e.cause, depth + 1),
    ...(e.failures ?? []).map((f) => everythingSaid(f.error, depth + 1)),
  ].join('\n');
}

describe('keyset errors', () => {
  it('never contain a version key or a data key, in any encoding', async () => {
    const kek = aesKeyring('kek');
    const g1 = await createKeyset({ keyring: kek });
    const g2 = await rotateKeyset(g1, { unlock: kek });
    const keysetPlaintext = Buffer.from(
      (await decrypt(g2, { keyring: kek, encryptionContext: KEYSET_EXPECTED })).plaintext,
    );
    const versionKeys = [keysetPlaintext.subarray(40, 72), keysetPlaintext.subarray(85, 117)];
    const dataKey = randomBytes(32);

    const keyset = await openKeyset(g2, { keyring: kek });
    const keyring = new KeysetKeyring(keyset);
    const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    const wrapped = await keyring.wrap({ suite, encryptionContext: { a: 'b' }, dataKey });
    const [edk] = wrapped.encryptedDataKeys;
    if (!edk) throw new Error('no EDK');
    const flippedCiphertext = Buffer.from(edk.ciphertext);
    // XOR, not a fixed value: writing 1 left the EDK intact whenever its first byte was already 1.
    flippedCiphertext[0] = (flippedCiphertext[0] as number) ^ 1;
    const flipped = { ...edk, ciphertext: flippedCiphertext };
    const message = (await encrypt(Buffer.from('x'), { keyring })).message;
    const old = await openKeyset(g1, { keyring: kek });

    const errors: unknown[] = [];
    const collect = (p: Promise<unknown>) =>
      p.then(
        () => errors.push(new Error('no error')),
        (e) => errors.push(e),
      );
    await collect(keyring.unwrap({ suite, encryptionContext: { a: 'c' }, encryptedDataKeys: [edk] }));
    await collect(keyring.unwrap({ suite, encryptionContext: { a: 'b' }, encryptedDataKeys: [flipped] }));
    await collect(
      new KeysetKeyring(old).unwrap({ suite, encryptionContext: { a: 'b' }, encryptedDataKeys: [edk] }),
    );
    await collect(openKeyset(g2, { keyring: kek, minGeneration: 3 }));
    await collect(openKeyset(g2, { keyring: kek, keysetId: '0'.repeat(32) }));
    const tampered = Buffer.from(g2);
    tampered[tampered.length - 40] = (tampered[tampered.length - 40] as number) ^ 1;
    await collect(openKeyset(tampered, { keyring: kek }));
    keyset.close();
    await collect(decrypt(message, { keyring }));
    old.close();

    expect(errors.every((e) => isPolykmsError(e))).toBe(true);
    const said = errors.map((e) => everythingSaid(e)).join('\n');
    for (const secret of [...versionKeys, dataKey]) {
      for (const encoded of encodings(secret)) expect(said.includes(encoded)).toBe(false);
    }
  });
});
