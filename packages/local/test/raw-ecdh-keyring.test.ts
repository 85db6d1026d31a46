import { ECDH, type KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  type EncryptedDataKey,
  type EncryptionContext,
  NoDecryptableKeyError,
  PolykmsError,
  Suites,
  decrypt,
  encrypt,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { ECDH_CURVES, type EcdhCurve, RawEcdhKeyring } from '@polykms/local';
import { describe, expect, it } from 'vitest';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const context = { tenant: 'acme', purpose: 'ecdh' };
const nodeNames: Record<EcdhCurve, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};
const pointBytes: Record<EcdhCurve, number> = { 'P-256': 33, 'P-384': 49, 'P-521': 67 };

const pairOn = (curve: EcdhCurve) => generateKeyPairSync('ec', { namedCurve: nodeNames[curve] });
const parties = Object.fromEntries(
  ECDH_CURVES.map((curve) => [curve, { sender: pairOn(curve), recipient: pairOn(curve) }]),
) as Record<EcdhCurve, { sender: ReturnType<typeof pairOn>; recipient: ReturnType<typeof pairOn> }>;

function keyringsOn(curve: EcdhCurve) {
  const { sender, recipient } = parties[curve];
  return {
    staticSender: new RawEcdhKeyring({
      schema: 'static',
      curve,
      senderPrivateKey: sender.privateKey,
      recipientPublicKey: recipient.publicKey,
    }),
    // The recipient's side of the same static pair: its own key is the "sender" key.
    staticRecipient: new RawEcdhKeyring({
      schema: 'static',
      curve,
      senderPrivateKey: recipient.privateKey,
      recipientPublicKey: sender.publicKey,
    }),
    ephemeral: new RawEcdhKeyring({ schema: 'ephemeral', curve, recipientPublicKey: recipient.publicKey }),
    discovery: new RawEcdhKeyring({ schema: 'discovery', curve, recipientPrivateKey: recipient.privateKey }),
  };
}

const p256 = keyringsOn('P-256');

async function wrapOne(keyring: RawEcdhKeyring, dataKey = randomBytes(suite.keyLength)) {
  const result = await wrapDataKey(keyring, { suite, encryptionContext: context, dataKey });
  return { dataKey, edk: result.encryptedDataKeys[0]! };
}

function unwrapWith(
  keyring: RawEcdhKeyring,
  edks: EncryptedDataKey[],
  encryptionContext: EncryptionContext = context,
) {
  return unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys: edks });
}

/** The code of the one failure inside a NoDecryptableKeyError. */
async function failureCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NoDecryptableKeyError);
  const { failures } = error as NoDecryptableKeyError;
  expect(failures).toHaveLength(1);
  return failures[0]!.error.code;
}

function providerInfo(version: number, recipient: Uint8Array, sender: Uint8Array): Buffer {
  const lengths = (n: number) => Buffer.from([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  return Buffer.concat([
    Buffer.of(version),
    lengths(recipient.length),
    recipient,
    lengths(sender.length),
    sender,
  ]);
}

function compressed(key: KeyObject, curve: EcdhCurve): Buffer {
  const jwk = key.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.of(4),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  return ECDH.convertKey(point, nodeNames[curve], undefined, undefined, 'compressed') as Buffer;
}

describe('RawEcdhKeyring', () => {
  for (const curve of ECDH_CURVES) {
    const keyrings = keyringsOn(curve);

    it(`round-trips a message between the two ends of a static ${curve} pair, in both directions`, async () => {
      const plaintext = randomBytes(100);
      const fromSender = await encrypt(plaintext, {
        keyring: keyrings.staticSender,
        encryptionContext: context,
      });
      const fromRecipient = await encrypt(plaintext, {
        keyring: keyrings.staticRecipient,
        encryptionContext: context,
      });
      for (const [message, reader] of [
        [fromSender.message, keyrings.staticRecipient],
        [fromSender.message, keyrings.staticSender],
        [fromRecipient.message, keyrings.staticSender],
      ] as const) {
        const { plaintext: opened } = await decrypt(message, { keyring: reader });
        expect(Buffer.from(opened).equals(plaintext)).toBe(true);
      }
    });

    it(`the ${curve} recipient's discovery keyring opens what a static or an ephemeral sender wrote`, async () => {
      for (const writer of [keyrings.staticSender, keyrings.ephemeral]) {
        const { dataKey, edk } = await wrapOne(writer);
        const opened = await unwrapWith(keyrings.discovery, [edk]);
        expect(opened && Buffer.from(opened.dataKey).equals(dataKey)).toBe(true);
      }
    });

    it(`writes the ESDK's ${curve} EDK layout: raw-ecdh, version 1, both compressed keys, salt ‖ commitment ‖ wrap ‖ tag`, async () => {
      const { sender, recipient } = parties[curve];
      const { edk } = await wrapOne(keyrings.staticSender);
      expect(edk.providerId).toBe('raw-ecdh');
      const expected = providerInfo(
        1,
        compressed(recipient.publicKey, curve),
        compressed(sender.publicKey, curve),
      );
      expect(Buffer.from(edk.providerInfo).equals(expected)).toBe(true);
      expect(edk.providerInfo).toHaveLength(1 + 2 * (4 + pointBytes[curve]));
      expect(edk.ciphertext).toHaveLength(32 + 32 + suite.keyLength + 16);
    });
  }

  it('draws a new salt for every wrap, so one static pair never derives the same AES key twice', async () => {
    const dataKey = randomBytes(32);
    const salts = new Set<string>();
    const ciphertexts = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { edk } = await wrapOne(p256.staticSender, dataKey);
      salts.add(Buffer.from(edk.ciphertext.subarray(0, 32)).toString('hex'));
      ciphertexts.add(Buffer.from(edk.ciphertext.subarray(64)).toString('hex'));
    }
    expect(salts.size).toBe(20);
    expect(ciphertexts.size).toBe(20);
  });

  it('gives each ephemeral EDK its own sender key', async () => {
    const first = await wrapOne(p256.ephemeral);
    const second = await wrapOne(p256.ephemeral);
    const senderOf = (edk: EncryptedDataKey) => Buffer.from(edk.providerInfo.subarray(4 + 1 + 33 + 4));
    expect(senderOf(first.edk).equals(senderOf(second.edk))).toBe(false);
  });

  it('loads the same keys from a KeyObject, PEM, DER and JWK', async () => {
    const { sender, recipient } = parties['P-384'];
    const { edk, dataKey } = await wrapOne(keyringsOn('P-384').staticSender);
    const forms = [
      [sender.privateKey, recipient.publicKey],
      [
        sender.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
        recipient.publicKey.export({ format: 'pem', type: 'spki' }) as string,
      ],
      [
        sender.privateKey.export({ format: 'pem', type: 'sec1' }) as string,
        recipient.publicKey.export({ format: 'der', type: 'spki' }),
      ],
      [
        sender.privateKey.export({ format: 'der', type: 'pkcs8' }),
        recipient.publicKey.export({ format: 'jwk' }),
      ],
      [sender.privateKey.export({ format: 'jwk' }), recipient.publicKey.export({ format: 'jwk' })],
    ] as const;
    for (const [senderPrivateKey, recipientPublicKey] of forms) {
      const keyring = new RawEcdhKeyring({
        schema: 'static',
        curve: 'P-384',
        senderPrivateKey,
        recipientPublicKey,
      });
      const opened = await unwrapWith(keyring, [edk]);
      expect(opened && Buffer.from(opened.dataKey).equals(dataKey)).toBe(true);
    }
  });

  describe('refuses at construction, with ERR_INVALID_ARGUMENT and without echoing the key', () => {
    const pem = parties['P-256'].sender.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const cases: [string, () => unknown][] = [
      [
        'a key on another curve than the keyring',
        () => new RawEcdhKeyring({ schema: 'discovery', curve: 'P-384', recipientPrivateKey: pem }),
      ],
      [
        'a P-256 sender with a P-521 recipient',
        () =>
          new RawEcdhKeyring({
            schema: 'static',
            curve: 'P-256',
            senderPrivateKey: pem,
            recipientPublicKey: parties['P-521'].recipient.publicKey,
          }),
      ],
      [
        'a curve polykms does not support',
        () =>
          new RawEcdhKeyring({
            schema: 'discovery',
            curve: 'secp256k1' as EcdhCurve,
            recipientPrivateKey: pem,
          }),
      ],
      [
        'an unknown schema',
        () => new RawEcdhKeyring({ schema: 'hybrid', curve: 'P-256', recipientPrivateKey: pem } as never),
      ],
      [
        'an RSA key',
        () =>
          new RawEcdhKeyring({
            schema: 'ephemeral',
            curve: 'P-256',
            recipientPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
          }),
      ],
      [
        'an X25519 key',
        () =>
          new RawEcdhKeyring({
            schema: 'ephemeral',
            curve: 'P-256',
            recipientPublicKey: generateKeyPairSync('x25519').publicKey,
          }),
      ],
      [
        'a public key where the private key belongs',
        () =>
          new RawEcdhKeyring({
            schema: 'discovery',
            curve: 'P-256',
            recipientPrivateKey: parties['P-256'].recipient.publicKey,
          }),
      ],
      [
        'a damaged PEM',
        () =>
          new RawEcdhKeyring({
            schema: 'discovery',
            curve: 'P-256',
            recipientPrivateKey: pem.replace('M', '!'),
          }),
      ],
      [
        'a JWK point that is not on the curve',
        () => {
          const jwk = parties['P-256'].recipient.publicKey.export({ format: 'jwk' });
          const y = Buffer.from(jwk.y!, 'base64url');
          y[31]! ^= 1;
          return new RawEcdhKeyring({
            schema: 'ephemeral',
            curve: 'P-256',
            recipientPublicKey: { ...jwk, y: y.toString('base64url') },
          });
        },
      ],
    ];
    for (const [what, make] of cases) {
      it(what, () => {
        let error: unknown;
        try {
          make();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(PolykmsError);
        expect((error as PolykmsError).code).toBe('ERR_INVALID_ARGUMENT');
        expect((error as Error).message).not.toContain('MII');
        expect((error as Error).message).not.toContain(pem.slice(40, 60));
      });
    }
  });

  it('a discovery keyring refuses to encrypt', async () => {
    expect(p256.discovery.canEncrypt).toBe(false);
    await expect(wrapDataKey(p256.discovery, { suite, encryptionContext: {} })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it("an ephemeral keyring refuses to decrypt its recipient's EDKs and ignores other recipients'", async () => {
    expect(p256.ephemeral.canDecrypt).toBe(false);
    const { edk } = await wrapOne(p256.ephemeral);
    await expect(unwrapWith(p256.ephemeral, [edk])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const other = new RawEcdhKeyring({
      schema: 'ephemeral',
      curve: 'P-256',
      recipientPublicKey: pairOn('P-256').publicKey,
    });
    await expect(unwrapWith(other, [edk])).resolves.toBeNull();
  });

  it('a static keyring ignores EDKs between other parties, even to its recipient', async () => {
    const { edk } = await wrapOne(p256.ephemeral);
    await expect(unwrapWith(p256.staticSender, [edk])).resolves.toBeNull();
    await expect(unwrapWith(p256.staticRecipient, [edk])).resolves.toBeNull();
  });

  it('returns null for provider info that is not exactly the ESDK layout of its curve', async () => {
    const { edk } = await wrapOne(p256.staticSender);
    const info = Buffer.from(edk.providerInfo);
    const recipient = info.subarray(5, 38);
    const sender = info.subarray(42);
    const variants = [
      providerInfo(2, recipient, sender),
      providerInfo(1, recipient.subarray(0, 32), Buffer.concat([sender, Buffer.of(0)])),
      Buffer.concat([info, Buffer.of(0)]),
      info.subarray(0, info.length - 1),
      Buffer.alloc(0),
    ];
    for (const providerInfoBytes of variants) {
      for (const keyring of [p256.staticSender, p256.discovery]) {
        await expect(unwrapWith(keyring, [{ ...edk, providerInfo: providerInfoBytes }])).resolves.toBeNull();
      }
    }
    const p384 = keyringsOn('P-384');
    const { edk: other } = await wrapOne(p384.staticSender);
    await expect(unwrapWith(p256.discovery, [other])).resolves.toBeNull();
  });

  it('reads EDKs under the AWS KMS ECDH provider id, which shares the layout, and no other', async () => {
    const { edk, dataKey } = await wrapOne(p256.staticSender);
    const opened = await unwrapWith(p256.discovery, [{ ...edk, providerId: 'aws-kms-ecdh' }]);
    expect(opened && Buffer.from(opened.dataKey).equals(dataKey)).toBe(true);
    for (const providerId of ['raw-ecdh-other', 'RAW-ECDH', 'aws-kms', ' raw-ecdh']) {
      await expect(unwrapWith(p256.discovery, [{ ...edk, providerId }])).resolves.toBeNull();
    }
  });

  it('fails with ERR_DECRYPTION_FAILED when the salt, the commitment key, the wrapped key or the context differ', async () => {
    const { edk } = await wrapOne(p256.staticSender);
    for (const index of [0, 31, 32, 63, 64, edk.ciphertext.length - 1]) {
      const ciphertext = Uint8Array.from(edk.ciphertext);
      ciphertext[index]! ^= 0x80;
      expect(await failureCode(unwrapWith(p256.discovery, [{ ...edk, ciphertext }]))).toBe(
        'ERR_DECRYPTION_FAILED',
      );
    }
    const otherContext = { ...context, tenant: 'globex' };
    expect(await failureCode(unwrapWith(p256.discovery, [edk], otherContext))).toBe('ERR_DECRYPTION_FAILED');
    expect(await failureCode(unwrapWith(p256.discovery, [edk], {}))).toBe('ERR_DECRYPTION_FAILED');
  });

  it('fails with ERR_MALFORMED_MESSAGE on a ciphertext of the wrong length', async () => {
    const { edk } = await wrapOne(p256.staticSender);
    for (const ciphertext of [
      edk.ciphertext.subarray(1),
      Uint8Array.of(...edk.ciphertext, 0),
      new Uint8Array(0),
    ]) {
      expect(await failureCode(unwrapWith(p256.staticSender, [{ ...edk, ciphertext }]))).toBe(
        'ERR_MALFORMED_MESSAGE',
      );
    }
  });

  it('fails with ERR_MALFORMED_MESSAGE when a discovered sender key is not a point on the curve', async () => {
    const { edk } = await wrapOne(p256.ephemeral);
    const recipient = Buffer.from(edk.providerInfo.subarray(5, 38));
    let offCurve: Buffer | undefined;
    while (offCurve === undefined) {
      const candidate = Buffer.concat([Buffer.of(2), randomBytes(32)]);
      try {
        ECDH.convertKey(candidate, 'prime256v1', undefined, undefined, 'uncompressed');
      } catch {
        offCurve = candidate;
      }
    }
    const tampered = { ...edk, providerInfo: providerInfo(1, recipient, offCurve) };
    expect(await failureCode(unwrapWith(p256.discovery, [tampered]))).toBe('ERR_MALFORMED_MESSAGE');
    const notAPointPrefix = {
      ...edk,
      providerInfo: providerInfo(1, recipient, Buffer.concat([Buffer.of(5), offCurve.subarray(1)])),
    };
    expect(await failureCode(unwrapWith(p256.discovery, [notAPointPrefix]))).toBe('ERR_MALFORMED_MESSAGE');
  });

  it('skips a broken EDK of its own and opens a good one after it', async () => {
    const broken = await wrapOne(p256.staticSender);
    const good = await wrapOne(p256.staticSender);
    const ciphertext = Uint8Array.from(broken.edk.ciphertext);
    ciphertext[40]! ^= 1;
    const opened = await unwrapWith(p256.staticRecipient, [{ ...broken.edk, ciphertext }, good.edk]);
    expect(opened && Buffer.from(opened.dataKey).equals(good.dataKey)).toBe(true);
  });

  it('names schema, curve and public keys in its description, never private material', () => {
    const pem = parties['P-256'].sender.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(p256.staticSender.description).toMatch(
      /^raw-ecdh static P-256 sender [0-9a-f]{18}… recipient [0-9a-f]{18}…$/,
    );
    expect(p256.discovery.description).toMatch(/^raw-ecdh discovery P-256 recipient [0-9a-f]{18}…$/);
    const d = Buffer.from(parties['P-256'].sender.privateKey.export({ format: 'jwk' }).d!, 'base64url');
    expect(p256.staticSender.description).not.toContain(d.subarray(0, 9).toString('hex'));
    expect(p256.staticSender.description).not.toContain(pem.slice(30, 50));
  });
});
