import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decrypt, encrypt, suiteFromId, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { type EcdhKeyDescription, ecdhKeyringFor } from './support/ecdh-vector-keys.js';
import { vectorsDir } from './vectors-location.js';

/**
 * The other direction of the raw ECDH vectors: every raw-ecdh scenario of the ESDK-Dafny 4.1.0
 * encrypt manifest, written by our keyring built from the scenario's encrypt-side keys and read
 * by our keyring built from its decrypt-side keys (a static sender read by the static pair or by
 * the recipient's discovery keyring; an ephemeral sender read by discovery). polykms writes only
 * the committing suites 0x0478 and 0x0578, so those scenarios go through whole messages; for the
 * other nine suites the data key of the suite's length is wrapped and unwrapped.
 */
const root = join(vectorsDir(), 'esdk-dafny-4.1.0');

interface EncryptScenario {
  readonly plaintext: string;
  readonly description: string;
  readonly algorithmSuiteId: string;
  readonly 'frame-size': number;
  readonly encryptKeyDescription: { readonly type: string };
  readonly decryptKeyDescription: { readonly type: string };
  readonly 'encryption-context': Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(root, 'encrypt-manifest.json'), 'utf8')) as {
  tests: Record<string, { 'encryption-scenario': EncryptScenario }>;
};
const keys = (JSON.parse(readFileSync(join(root, 'keys.json'), 'utf8')) as { keys: Record<string, object> })
  .keys;
const plaintext = readFileSync(join(root, 'plaintexts', 'small'));

const scenarios = Object.entries(manifest.tests)
  .map(([id, test]) => ({ id, scenario: test['encryption-scenario'] }))
  .filter(({ scenario }) => scenario.encryptKeyDescription.type === 'raw-ecdh');

const keyringOf = (description: { readonly type: string }) =>
  ecdhKeyringFor(description as EcdhKeyDescription, keys);

describe('ESDK-Dafny 4.1.0 raw ECDH encrypt scenarios, written by polykms', () => {
  it('the manifest holds the 99 raw ECDH scenarios of the decrypt vectors', () => {
    expect(scenarios).toHaveLength(99);
  });

  for (const { id, scenario } of scenarios) {
    const suite = suiteFromId(Number.parseInt(scenario.algorithmSuiteId, 16));
    const context = scenario['encryption-context'];
    const title = `${scenario.description} [${id}] (suite 0x${scenario.algorithmSuiteId})`;
    if (suite.committing) {
      it(`a message written for ${title} decrypts with the scenario's decrypt-side keys`, async () => {
        const { message } = await encrypt(plaintext, {
          keyring: keyringOf(scenario.encryptKeyDescription),
          suite,
          frameLength: scenario['frame-size'],
          encryptionContext: context,
        });
        const result = await decrypt(message, {
          keyring: keyringOf(scenario.decryptKeyDescription),
          encryptionContext: context,
        });
        expect(result.encryptedDataKey.providerId).toBe('raw-ecdh');
        expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
      });
    } else {
      it(`a ${suite.keyLength}-byte data key wrapped for ${title} unwraps with the decrypt-side keys`, async () => {
        const request = { suite, encryptionContext: context };
        const wrapped = await wrapDataKey(keyringOf(scenario.encryptKeyDescription), request);
        const opened = await unwrapDataKey(keyringOf(scenario.decryptKeyDescription), {
          ...request,
          encryptedDataKeys: wrapped.encryptedDataKeys,
        });
        expect(opened).not.toBeNull();
        expect(Buffer.from(opened!.dataKey).equals(Buffer.from(wrapped.dataKey))).toBe(true);
        expect(opened!.dataKey).toHaveLength(suite.keyLength);
      });
    }
  }
});
