const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * An EDK's provider info read as the key name a cloud keyring wrote there (a key ARN, a
 * CryptoKeyVersion name, a Key Vault key id), or undefined when it cannot be one: empty, longer
 * than `maxBytes`, or not valid UTF-8. A leading byte-order mark is kept, so such an EDK names no key of ours.
 * The bound is checked before decoding, because the bytes come from a message and may be up to
 * 65,535 long. The caller still parses the text.
 */
export function providerInfoText(providerInfo: Uint8Array, maxBytes: number): string | undefined {
  if (providerInfo.length === 0 || providerInfo.length > maxBytes) return undefined;
  try {
    return strictUtf8.decode(providerInfo);
  } catch {
    return undefined;
  }
}
