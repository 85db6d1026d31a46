import { check } from '../assertions.js';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  KMS_CALL_CHANNEL,
  type Keyring,
  decrypt,
  encrypt,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import type { ConformanceCase } from '../case.js';
import { context, otherContext, suite, wrapFresh } from '../fixtures.js';
import type { ConformanceHarness } from '../harness.js';
import { type Secret, errorTexts, eventText, findSecrets } from '../secret-scan.js';
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

export const leakCases: readonly ConformanceCase[] = [
  {
    id: 'leaks/errors-and-events',
    title:
      'no error message, stack or kms-call event contains the data key or the plaintext, in any encoding',
    async run(harness) {
      const dataKey = randomBytes(suite.keyLength);
      const plaintext = randomBytes(64);
      const secrets: Secret[] = [
        { name: 'data key', bytes: dataKey },
        { name: 'plaintext', bytes: plaintext },
      ];
      const events: unknown[] = [];
      const onEvent = (event: unknown) => events.push(event);
      subscribe(KMS_CALL_CHANNEL, onEvent);
      const texts: { where: string; text: string }[] = [];
      let failures = 0;
      try {
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
      } finally {
        unsubscribe(KMS_CALL_CHANNEL, onEvent);
      }
      check(failures >= 4, `only ${failures} probes failed; the scan would prove little`);
      events.forEach((event, i) => {
        texts.push({ where: `kms-call event ${i}`, text: eventText(event) });
      });
      const leaks = findSecrets(secrets, texts);
      check(leaks.length === 0, `secrets found: ${leaks.join('; ')}`);
    },
  },
];
