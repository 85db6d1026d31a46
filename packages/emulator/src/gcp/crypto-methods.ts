import { CIPHERTEXT_OVERHEAD, openCiphertext, readCiphertextHeader, sealCiphertext } from './ciphertext.js';
import { checksumOf, verifyRequestChecksum } from './checksums.js';
import { Lookup, requireEnabled, versionName } from './lookup.js';
import { byName, type GcpMethod } from './method.js';
import { parseName } from './names.js';
import { bytes, int64, required, str } from './request.js';
import { failedPrecondition, invalidArgument } from './errors.js';
import type { CryptoKeyRecord, GcpKeyStore, VersionRecord } from './store.js';

/** Plaintext and AAD limit of SOFTWARE keys; HSM keys allow 8 KiB for both together. */
export const MAX_SOFTWARE_INPUT = 64 * 1024;
export const MAX_HSM_INPUT = 8 * 1024;

function checkInputSizes(key: CryptoKeyRecord, plaintext: number, aad: number): void {
  if (key.protectionLevel === 'HSM' && plaintext + aad > MAX_HSM_INPUT) {
    throw invalidArgument(
      `The combined length of plaintext and additional_authenticated_data must be at most ${MAX_HSM_INPUT} bytes for HSM keys.`,
    );
  }
  if (plaintext > MAX_SOFTWARE_INPUT)
    throw invalidArgument(`The plaintext must be at most ${MAX_SOFTWARE_INPUT} bytes.`);
  if (aad > MAX_SOFTWARE_INPUT) {
    throw invalidArgument(`The additional_authenticated_data must be at most ${MAX_SOFTWARE_INPUT} bytes.`);
  }
}

/** Encrypt and Decrypt with AES-256-GCM per version, AAD bound, CRC32C filled and checked. */
export function createCryptoMethods(store: GcpKeyStore): Record<string, GcpMethod> {
  const lookup = new Lookup(store);
  return {
    Encrypt: {
      permission: 'cloudkms.cryptoKeyVersions.useToEncrypt',
      target: (request) => {
        const name = parseName(required(request, 'name', 'name'));
        if (name.kind === 'cryptoKey') return { resource: name.name, keyId: name.name };
        if (name.kind === 'cryptoKeyVersion') return { resource: name.name, keyId: name.cryptoKey };
        throw invalidArgument(`name [${name.name}] is not a CryptoKey or CryptoKeyVersion name.`);
      },
      mutates: false,
      handle: (request) => {
        const name = parseName(str(request, 'name'));
        const key = lookup.cryptoKey(name.kind === 'cryptoKeyVersion' ? name.cryptoKey : name.name);
        const plaintext = bytes(request, 'plaintext');
        const aad = bytes(request, 'additionalAuthenticatedData');
        checkInputSizes(key, plaintext.length, aad.length);
        const verifiedPlaintext = verifyRequestChecksum(
          plaintext,
          int64(request, 'plaintextCrc32c'),
          'plaintext_crc32c',
        );
        const verifiedAad = verifyRequestChecksum(
          aad,
          int64(request, 'additionalAuthenticatedDataCrc32c'),
          'additional_authenticated_data_crc32c',
        );
        let version: VersionRecord;
        if (name.kind === 'cryptoKeyVersion') {
          version = lookup.version(key, name.versionId);
        } else {
          if (key.primaryId === undefined) throw failedPrecondition(`${key.name} has no primary version.`);
          version = lookup.version(key, key.primaryId);
        }
        requireEnabled(key, version);
        const ciphertext = sealCiphertext(
          version.material as Buffer,
          { keyUid: key.uid, versionId: version.id },
          plaintext,
          aad,
        );
        return {
          name: versionName(key, version),
          ciphertext,
          ciphertextCrc32c: checksumOf(ciphertext),
          verifiedPlaintextCrc32c: verifiedPlaintext,
          verifiedAdditionalAuthenticatedDataCrc32c: verifiedAad,
          protectionLevel: key.protectionLevel,
        };
      },
    },
    Decrypt: {
      permission: 'cloudkms.cryptoKeyVersions.useToDecrypt',
      target: byName('cryptoKey'),
      mutates: false,
      handle: (request) => {
        const key = lookup.cryptoKey(str(request, 'name'));
        const ciphertext = bytes(request, 'ciphertext');
        const aad = bytes(request, 'additionalAuthenticatedData');
        if (ciphertext.length === 0) throw invalidArgument('ciphertext is required.');
        if (ciphertext.length > MAX_SOFTWARE_INPUT + CIPHERTEXT_OVERHEAD) {
          throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        }
        if (aad.length > MAX_SOFTWARE_INPUT) {
          throw invalidArgument(
            `The additional_authenticated_data must be at most ${MAX_SOFTWARE_INPUT} bytes.`,
          );
        }
        verifyRequestChecksum(ciphertext, int64(request, 'ciphertextCrc32c'), 'ciphertext_crc32c');
        verifyRequestChecksum(
          aad,
          int64(request, 'additionalAuthenticatedDataCrc32c'),
          'additional_authenticated_data_crc32c',
        );
        const header = readCiphertextHeader(ciphertext);
        if (!header) throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        if (!header.keyUid.equals(key.uid)) {
          throw invalidArgument("Decryption failed: verify that 'name' refers to the correct CryptoKey.");
        }
        const version = key.versions.get(header.versionId);
        if (!version) throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        store.settle(version);
        requireEnabled(key, version);
        const plaintext = openCiphertext(version.material as Buffer, ciphertext, aad);
        if (!plaintext) throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        return {
          plaintext,
          plaintextCrc32c: checksumOf(plaintext),
          usedPrimary: version.id === key.primaryId,
          protectionLevel: key.protectionLevel,
        };
      },
    },
  };
}
