import { randomBytes } from 'node:crypto';
import { decrypt, encrypt } from '@polykms/envelope';
import {
  InvalidKeyUriError,
  UnknownKeyUriSchemeError,
  keyringFromUris,
  parseKeyUri,
  registerKeyringScheme,
} from '@polykms/key-uri';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain-JavaScript plug-in package, as a third party would ship one.
import { keyringScheme } from './support/envkey-plugin/index.mjs';

const VARIABLE = 'POLYKMS_TEST_PLUGIN_KEY';

describe('a third-party key URI scheme registered from the library', () => {
  beforeAll(() => {
    process.env[VARIABLE] = randomBytes(32).toString('base64');
    registerKeyringScheme(keyringScheme);
  });
  afterAll(() => {
    delete process.env[VARIABLE];
  });

  it('parses its URIs with the plug-in grammar and lists it among the known schemes', () => {
    expect(parseKeyUri(`envkey://${VARIABLE}`)).toEqual({
      scheme: 'envkey',
      uri: `envkey://${VARIABLE}`,
      variable: VARIABLE,
    });
    expect(() => parseKeyUri('envkey://lower-case')).toThrow(InvalidKeyUriError);
    expect(() => parseKeyUri('envkey://lower-case')).toThrow(/envkey:\/\/<ENVIRONMENT_VARIABLE>/);
    const unknown = (() => {
      try {
        parseKeyUri('vault://x');
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(UnknownKeyUriSchemeError);
    expect((unknown as Error).message).toContain('envkey://');
  });

  it('round-trips a message through keyringFromUris, alone and beside a built-in scheme', async () => {
    const plaintext = new TextEncoder().encode('plug-in scheme');
    const keyring = await keyringFromUris([`envkey://${VARIABLE}`]);
    const { message } = await encrypt(plaintext, { keyring, encryptionContext: { app: 'test' } });
    const reader = await keyringFromUris([`envkey://${VARIABLE}`], { purpose: 'decrypt' });
    const result = await decrypt(message, { keyring: reader, encryptionContext: { app: 'test' } });
    expect(Buffer.from(result.plaintext).toString()).toBe('plug-in scheme');
  });

  it('registers the same scheme object twice without complaint, and refuses to replace a scheme', () => {
    expect(() => registerKeyringScheme(keyringScheme)).not.toThrow();
    expect(() => registerKeyringScheme({ ...keyringScheme })).toThrow(/already registered/);
    expect(() => registerKeyringScheme({ ...keyringScheme, scheme: 'aws-kms' })).toThrow(
      /already registered/,
    );
    expect(() => registerKeyringScheme({ ...keyringScheme, scheme: 'Bad Scheme' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
