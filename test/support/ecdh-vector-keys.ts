import { type EcdhCurve, RawEcdhKeyring } from '@polykms/local';

/** A `raw-ecdh` key description of the ESDK vector manifests (awses v5). */
export interface EcdhKeyDescription {
  readonly type: 'raw-ecdh';
  /** A key of keys.json, or `ephemeral` / `discovery`. */
  readonly sender: string;
  /** A key of keys.json. */
  readonly recipient: string;
  /** The field of the recipient's key entry holding its public key (base64 DER). */
  readonly 'recipient-public-key': string;
  readonly 'ecc-curve': string;
  readonly schema: 'static' | 'ephemeral' | 'discovery';
}

/**
 * A keys.json `ecc-private` entry: a sender and a recipient key pair, as `sender-material` /
 * `recipient-material` (PEM) and `…-public-key` fields (base64 DER).
 */
type KeyEntry = object;

const curves: Readonly<Record<string, EcdhCurve>> = {
  'ecc-256': 'P-256',
  'ecc-384': 'P-384',
  'ecc-521': 'P-521',
};

function field(entry: KeyEntry | undefined, name: string): string {
  const value = (entry as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new Error(`keys.json has no ${name} for this ECDH key`);
  return value;
}

/**
 * The keyring a vector's ECDH description stands for: the sender's private key is the sender
 * entry's `sender-material`, the recipient's public key the field the description names (base64
 * DER), its private key the recipient entry's `recipient-material` (PEM PKCS#8). The
 * description's `provider-id` is not used: the ESDK always writes `raw-ecdh`.
 */
export function ecdhKeyringFor(
  description: EcdhKeyDescription,
  keys: Readonly<Record<string, KeyEntry>>,
): RawEcdhKeyring {
  const curve = curves[description['ecc-curve']];
  if (curve === undefined) throw new Error(`unknown ECDH curve ${description['ecc-curve']}`);
  const recipient = keys[description.recipient];
  const recipientPublicKey = () =>
    Buffer.from(field(recipient, description['recipient-public-key']), 'base64');
  switch (description.schema) {
    case 'static':
      return new RawEcdhKeyring({
        schema: 'static',
        curve,
        senderPrivateKey: field(keys[description.sender], 'sender-material'),
        recipientPublicKey: recipientPublicKey(),
      });
    case 'ephemeral':
      return new RawEcdhKeyring({ schema: 'ephemeral', curve, recipientPublicKey: recipientPublicKey() });
    case 'discovery':
      return new RawEcdhKeyring({
        schema: 'discovery',
        curve,
        recipientPrivateKey: field(recipient, 'recipient-material'),
      });
  }
}
