import { InvalidArgumentError, UnwrappableRecipientsError } from '../errors.js';
import { MultiKeyring } from '../keyring/multi-keyring.js';
import { providerInfoText } from '../driver/provider-info-text.js';
import type { EncryptedDataKey, Keyring } from '../keyring/types.js';
import type { RewrapMethod, RewrapOptions } from './options.js';
import { type KeptRecipientKeyring, keptEncryptedDataKeys } from './recipients.js';
import { RetainedRecipients } from './retained-recipients.js';

/** Longest key name quoted in an error; longer provider info is described by its size. */
const MAX_QUOTED_KEY_NAME_BYTES = 512;
/** Raw AES provider info (ESDK keyring spec): key name ‖ u32 tag bits (128) ‖ u32 IV length (12) ‖ IV. */
const RAW_AES_INFO_SUFFIX = 4 + 4 + 12;

/** An EDK's key as an error may name it: a cloud key name, or a raw key's `namespace/name`. */
function describeRecipient(edk: EncryptedDataKey): string {
  const info = edk.providerInfo;
  const text = providerInfoText(info, MAX_QUOTED_KEY_NAME_BYTES);
  if (text !== undefined && !/\p{Cc}/u.test(text)) return `${edk.providerId} ${text}`;
  const at = info.length - RAW_AES_INFO_SUFFIX;
  const view = new DataView(info.buffer, info.byteOffset, info.byteLength);
  if (at > 0 && view.getUint32(at) === 128 && view.getUint32(at + 4) === 12) {
    const name = providerInfoText(info.subarray(0, at), MAX_QUOTED_KEY_NAME_BYTES);
    if (name !== undefined) return `${edk.providerId}/${name}`;
  }
  return `${edk.providerId} (${info.length}-byte key info)`;
}

async function keyringsForKept(
  kept: readonly EncryptedDataKey[],
  resolve: KeptRecipientKeyring | undefined,
): Promise<Keyring[]> {
  const keyrings: Keyring[] = [];
  const unwrappable: string[] = [];
  for (const edk of kept) {
    const keyring = await resolve?.(edk);
    if (!keyring) unwrappable.push(describeRecipient(edk));
    else if (!keyrings.includes(keyring)) keyrings.push(keyring);
  }
  if (unwrappable.length > 0) throw new UnwrappableRecipientsError(unwrappable);
  return keyrings;
}

/**
 * The keyring that wraps the new message's data key, from the original's authenticated EDKs and
 * the caller's recipient change. `header-only` carries kept EDKs over as they are (they wrap the
 * same data key); `re-encrypt` has a new data key, which each kept recipient must wrap again.
 */
export async function newRecipientsKeyring(
  edks: readonly EncryptedDataKey[],
  options: RewrapOptions,
  method: RewrapMethod,
): Promise<Keyring> {
  const kept = keptEncryptedDataKeys(edks, options);
  const keptKeyrings =
    kept.length === 0
      ? []
      : method === 'header-only'
        ? [new RetainedRecipients(kept)]
        : await keyringsForKept(kept, options.keptRecipientKeyring);
  const [generator, ...children] = [...keptKeyrings, ...(options.keyring ? [options.keyring] : [])];
  if (!generator) {
    throw new InvalidArgumentError('that would leave the message with no recipient: nobody could decrypt it');
  }
  return children.length === 0 ? generator : new MultiKeyring({ generator, children });
}
