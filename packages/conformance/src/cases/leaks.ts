import { check } from '../assertions.js';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  type EncryptedDataKey,
  KMS_CALL_CHANNEL,
  type Keyring,
  decrypt,
  encrypt,
  unwrapDataKey,
  wrapDataKey,
  zeroize,
} from '@polykms/envelope';
import type { ConformanceCase, Requirement } from '../case.js';
import { context, otherContext, suite, wrapFresh } from '../fixtures.js';
import type { ConformanceHarness, HarnessSecret } from '../harness.js';
import { captureOutput } from '../capture-output.js';
import { SECRET_WINDOW_BYTES, type Secret, errorTexts, eventText, findSecrets } from '../secret-scan.js';
import { tamperings } from '../tamper.js';

interface Probe {
  readonly name: string;
  readonly run: () => Promise<unknown>;
  readonly cleanup?: () => Promise<void> | void;
}

/**
 * Every failure the harness can provoke, each with a data key or plaintext the suite knows, so
 * that the errors and events can be searched for them.
 */
async function probes(
  harness: ConformanceHarness,
  dataKey: Uint8Array,
  plaintext: Uint8Array,
): Promise<Probe[]> {
  const a = await harness.keyringForKeyA();
  const control = harness.admin;
  const wrapped = await wrapDataKey(a, { suite, encryptionContext: context, dataKey });
  const edk = wrapped.encryptedDataKeys[0]!;
  const { message } = await encrypt(plaintext, {
    keyring: a,
    encryptionContext: context,
    requiredContextKeys: ['tenant'],
  });
  const unwrap = (keyring: Keyring, edks = [edk], encryptionContext = context, signal?: AbortSignal) =>
    unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys: edks, signal });
  const wrapKnown = (keyring: Keyring, signal?: AbortSignal) =>
    wrapDataKey(keyring, { suite, encryptionContext: context, dataKey: Uint8Array.from(dataKey), signal });

  const list: Probe[] = tamperings.map((t) => ({
    name: `unwrap: ${t.name}`,
    run: () => unwrap(a, [t.apply(edk)]),
  }));
  list.push({ name: 'unwrap under another context', run: () => unwrap(a, [edk], otherContext) });
  const tamperedBody = Uint8Array.from(message);
  const at = tamperedBody.length - 20;
  tamperedBody[at] = (tamperedBody[at] ?? 0) ^ 1;
  list.push({
    name: 'decrypt a tampered message',
    run: () => decrypt(tamperedBody, { keyring: a, encryptionContext: { tenant: 'acme' } }),
  });
  list.push({
    name: 'decrypt with a wrong context',
    run: () => decrypt(message, { keyring: a, encryptionContext: { tenant: 'globex' } }),
  });
  if (harness.remote) {
    list.push({ name: 'wrap with an aborted signal', run: () => wrapKnown(a, AbortSignal.abort()) });
  }
  if (control?.deny && control.allow) {
    const allow = () => control.allow!();
    list.push({
      name: 'wrap while denied',
      run: async () => {
        await control.deny!('A', 'encrypt');
        return wrapKnown(a);
      },
      cleanup: allow,
    });
    list.push({
      name: 'unwrap while denied',
      run: async () => {
        await control.deny!('A', 'decrypt');
        return unwrap(a);
      },
      cleanup: allow,
    });
  }
  if (control?.disableKey && control.enableKey) {
    const enable = () => control.enableKey!('A');
    list.push({
      name: 'wrap with a disabled key',
      run: async () => {
        await control.disableKey!('A');
        return wrapKnown(a);
      },
      cleanup: enable,
    });
    list.push({
      name: 'unwrap with a disabled key',
      run: async () => {
        await control.disableKey!('A');
        return unwrap(a);
      },
      cleanup: enable,
    });
  }
  if (control?.injectFault && control.clearFaults) {
    const clear = () => control.clearFaults!();
    list.push({
      name: 'wrap while unavailable',
      run: async () => {
        await control.injectFault!('unavailable', { key: 'A' });
        return wrapKnown(a);
      },
      cleanup: clear,
    });
    list.push({
      name: 'unwrap while throttled',
      run: async () => {
        await control.injectFault!('throttle', { key: 'A' });
        return unwrap(a);
      },
      cleanup: clear,
    });
  }
  if (harness.encryptOnlyKeyringForKeyA) {
    const encryptOnly = await harness.encryptOnlyKeyringForKeyA();
    list.push({ name: 'unwrap with an encrypt-only keyring', run: () => unwrap(encryptOnly) });
  }
  if (harness.keyringForMissingKey) {
    const missing = await harness.keyringForMissingKey();
    list.push({ name: 'wrap with a missing key', run: () => wrapKnown(missing) });
  }
  return list;
}

type Text = { where: string; text: string };

/**
 * Runs every probe with a data key and plaintext the suite knows, and returns all the text they
 * exposed: every error (walked through causes and properties), every `polykms:kms-call` event,
 * and everything written to the console, stdout or stderr meanwhile.
 */
async function exposedTexts(
  harness: ConformanceHarness,
  dataKey: Uint8Array,
  plaintext: Uint8Array,
): Promise<{ texts: Text[]; failures: number }> {
  const events: unknown[] = [];
  const onEvent = (event: unknown) => events.push(event);
  const texts: Text[] = [];
  let failures = 0;
  subscribe(KMS_CALL_CHANNEL, onEvent);
  try {
    const { output } = await captureOutput(async () => {
      await wrapFresh(await harness.keyringForKeyA());
      for (const probe of await probes(harness, dataKey, plaintext)) {
        try {
          await probe.run();
        } catch (error) {
          failures += 1;
          texts.push(...errorTexts(error, probe.name));
        } finally {
          await probe.cleanup?.();
        }
      }
    });
    texts.push({ where: 'console, stdout or stderr output', text: output });
  } finally {
    unsubscribe(KMS_CALL_CHANNEL, onEvent);
  }
  events.forEach((event, i) => {
    texts.push({ where: `kms-call event ${i}`, text: eventText(event) });
  });
  return { texts, failures };
}

function asSecret({ name, value }: HarnessSecret): Secret {
  return { name, bytes: typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
}

const declaresSecrets: Requirement = (h) =>
  typeof h.secrets === 'function' ? undefined : 'the harness declares no secrets';

function edkTexts(edks: readonly EncryptedDataKey[]): Text[] {
  const latin1 = (bytes: Uint8Array) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return edks.flatMap((edk, i) => [
    { where: `EDK ${i} ciphertext`, text: latin1(edk.ciphertext) },
    { where: `EDK ${i} provider info`, text: latin1(edk.providerInfo) },
  ]);
}

export const leakCases: readonly ConformanceCase[] = [
  {
    id: 'leaks/errors-and-events',
    title:
      'no error message, stack, kms-call event or log line contains the data key or the plaintext, in any encoding',
    async run(harness) {
      const dataKey = randomBytes(suite.keyLength);
      const plaintext = randomBytes(64);
      const secrets: Secret[] = [
        { name: 'data key', bytes: dataKey },
        { name: 'plaintext', bytes: plaintext },
      ];
      const { texts, failures } = await exposedTexts(harness, dataKey, plaintext);
      check(failures >= 4, `only ${failures} probes failed; the scan would prove little`);
      const leaks = findSecrets(secrets, texts);
      check(leaks.length === 0, `secrets found: ${leaks.join('; ')}`);
    },
  },
  {
    id: 'leaks/declared-secrets',
    title:
      'no error, kms-call event or log line contains a secret the harness declares (wrapping key, token), in any encoding',
    needs: declaresSecrets,
    async run(harness) {
      const secrets = (await harness.secrets!()).map(asSecret);
      check(secrets.length > 0, 'the harness declares secrets() but returned none');
      for (const secret of secrets) {
        check(
          secret.bytes.length >= SECRET_WINDOW_BYTES,
          `the secret "${secret.name}" has ${secret.bytes.length} bytes; the scan needs at least ${SECRET_WINDOW_BYTES}`,
        );
      }
      const { texts, failures } = await exposedTexts(harness, randomBytes(suite.keyLength), randomBytes(64));
      check(failures >= 4, `only ${failures} probes failed; the scan would prove little`);
      const leaks = findSecrets(secrets, texts);
      check(leaks.length === 0, `declared secrets found: ${leaks.join('; ')}`);
    },
  },
  {
    id: 'leaks/edk-carries-no-data-key',
    title:
      'no EDK carries the data key in clear (in its ciphertext or provider info, in any encoding), given or generated',
    async run(harness) {
      const given = await wrapFresh(await harness.keyringForKeyA());
      const generated = await wrapDataKey(await harness.keyringForKeyA(), {
        suite,
        encryptionContext: context,
      });
      try {
        const leaks = [
          ...findSecrets([{ name: 'the given data key', bytes: given.dataKey }], edkTexts([given.edk])),
          ...findSecrets(
            [{ name: 'the generated data key', bytes: generated.dataKey }],
            edkTexts(generated.encryptedDataKeys),
          ),
        ];
        check(leaks.length === 0, `an EDK carries its data key in clear: ${leaks.join('; ')}`);
      } finally {
        zeroize(given.dataKey);
        zeroize(generated.dataKey);
      }
    },
  },
];
