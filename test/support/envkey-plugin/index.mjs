// A third-party polykms plug-in, as small as one can be: `envkey://<VARIABLE>` names a raw
// AES-256 key held base64 in an environment variable. It exports its scheme; `registerKeyringScheme`
// (or the CLI's --plugin / POLYKMS_PLUGINS) makes the scheme usable in key URIs.
import { InvalidArgumentError } from '@polykms/envelope';
import { RawAesKeyring } from '@polykms/local';

const VARIABLE = /^[A-Z_][A-Z0-9_]{0,63}$/;

/** @type {import('@polykms/envelope/driver').KeyringScheme<{ variable: string }>} */
export const keyringScheme = {
  scheme: 'envkey',
  keyForm: 'envkey://<ENVIRONMENT_VARIABLE> (upper case)',
  parseKey: (rest) => (VARIABLE.test(rest) ? { variable: rest } : undefined),
  async keyring(key) {
    const wrappingKey = Buffer.from(process.env[key.variable] ?? '', 'base64');
    try {
      if (wrappingKey.length !== 32) {
        throw new InvalidArgumentError(`envkey: ${key.variable} must hold a base64 AES-256 key (32 bytes)`);
      }
      // The keyring keeps its own copy; ours is zeroed below.
      return new RawAesKeyring({ keyNamespace: 'envkey', keyName: key.variable, wrappingKey });
    } finally {
      wrappingKey.fill(0);
    }
  },
};
