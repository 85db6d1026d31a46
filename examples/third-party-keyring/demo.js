// The keyring from the library, through its key URI scheme: node demo.js <vault file> <key name>
import { decrypt, encrypt } from '@polykms/envelope';
import { keyringFromUris, registerKeyringScheme } from '@polykms/key-uri';
import { keyringScheme } from 'polykms-keyring-filevault';

registerKeyringScheme(keyringScheme);

const [vaultFile = 'vault.json', keyName = 'orders'] = process.argv.slice(2);
const keyring = await keyringFromUris([`filevault://${vaultFile}#${keyName}`]);
const encryptionContext = { tenant: 'acme' };
const { message } = await encrypt(new TextEncoder().encode('hello from a third-party keyring'), {
  keyring,
  encryptionContext,
});
const { plaintext, header } = await decrypt(message, { keyring, encryptionContext });
console.log(
  JSON.stringify({
    text: new TextDecoder().decode(plaintext),
    edks: header.encryptedDataKeys.map((edk) => ({
      providerId: edk.providerId,
      providerInfo: new TextDecoder().decode(edk.providerInfo),
    })),
  }),
);
