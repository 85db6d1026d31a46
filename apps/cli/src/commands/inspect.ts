import type { Command } from 'commander';
import { type EncryptedDataKeyInfo, type MessageInfo, inspect } from '@polykms/envelope';
import { keyUriOfEncryptedDataKey } from '@polykms/key-uri';
import { readHeaderBytes } from '../io/header-bytes.js';
import { STDIO, assertStdinIsNotTerminal } from '../io/stdio.js';
import { printable } from '../io/terminal-text.js';

/** The header's facts; its wrapped data keys are listed once, as `recipients`. */
export interface InspectReport extends Omit<MessageInfo, 'bodyLength' | 'encryptedDataKeys'> {
  readonly file: string;
  /** Undefined for stdin, which is read only as far as the header. */
  readonly totalLength: number | undefined;
  readonly bodyLength: number | undefined;
  /** Each recipient with the key URI that decrypts it, where the header names one. */
  readonly recipients: readonly RecipientInfo[];
}

interface RecipientInfo {
  readonly providerId: string;
  readonly providerInfo: string;
  /** The wrapped data key's length (undefined for a keyset's recipients, which list none). */
  readonly ciphertextLength?: number | undefined;
  /** The key URI that decrypts it, where the header names a cloud key. */
  readonly keyUri?: string | undefined;
  /** For raw (local) keys: the key name and kind the provider info carries. */
  readonly rawKey?: { readonly name: string; readonly kind: 'aes' | 'rsa-or-other' } | undefined;
}

/** Raw AES provider info: key name ‖ u32 tag bits (128) ‖ u32 IV length (12) ‖ IV (12). */
function rawKeyOf(providerInfo: string): RecipientInfo['rawKey'] {
  if (!providerInfo.startsWith('base64:')) return { name: providerInfo, kind: 'rsa-or-other' };
  const info = Buffer.from(providerInfo.slice('base64:'.length), 'base64');
  const at = info.length - 20;
  if (at > 0 && info.readUInt32BE(at) === 128 && info.readUInt32BE(at + 4) === 12) {
    return { name: info.subarray(0, at).toString('utf8'), kind: 'aes' };
  }
  return undefined;
}

export function describeRecipient(
  edk: Pick<EncryptedDataKeyInfo, 'providerId' | 'providerInfo'> & Partial<EncryptedDataKeyInfo>,
): RecipientInfo {
  const keyUri = keyUriOfEncryptedDataKey(edk.providerId, edk.providerInfo);
  if (keyUri) return { ...edk, keyUri };
  return { ...edk, rawKey: rawKeyOf(edk.providerInfo) };
}

export async function inspectFile(file: string): Promise<InspectReport> {
  const { bytes, totalLength } = await readHeaderBytes(file);
  const { encryptedDataKeys, ...info } = inspect(bytes);
  return {
    file,
    ...info,
    totalLength,
    bodyLength: totalLength === undefined ? undefined : totalLength - info.headerLength,
    recipients: encryptedDataKeys.map(describeRecipient),
  };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export function formatRecipient(r: RecipientInfo): string {
  if (r.keyUri) {
    const version = r.providerId === 'gcp-kms' ? `  (version ${r.providerInfo.split('/').pop()})` : '';
    return printable(`${r.keyUri}${version}`);
  }
  if (r.rawKey) {
    const kind = r.rawKey.kind === 'aes' ? 'raw AES' : 'raw RSA or other';
    return `${kind} key, namespace '${printable(r.providerId)}', name '${printable(r.rawKey.name)}'`;
  }
  return `provider '${printable(r.providerId)}', info ${printable(r.providerInfo)}`;
}

/**
 * The report as text for a terminal. Everything from the header is the sender's choice, so control
 * characters are shown escaped (see printable): a context value cannot forge lines of the report.
 */
export function formatInspectReport(report: InspectReport): string {
  const hexId = `0x${report.suiteId.toString(16).padStart(4, '0')}`;
  const traits = [
    report.committing ? 'key-committing' : 'not key-committing',
    report.signed ? 'signed' : 'unsigned',
  ];
  const contextPairs = Object.entries(report.encryptionContext);
  const lines = [
    `message      ${report.file === STDIO ? 'stdin' : printable(report.file)}${report.totalLength === undefined ? '' : ` (${report.totalLength} bytes)`}`,
    `format       v${report.version}, suite ${hexId} ${report.suiteName} (${traits.join(', ')})`,
    `message id   ${report.messageId}`,
    `context      ${contextPairs.length === 0 ? '(none)' : contextPairs.map(([k, v]) => `${printable(k)}=${printable(v)}`).join('\n             ')}`,
    `recipients   ${report.recipients.length}`,
    ...report.recipients.map((r) => `  - ${formatRecipient(r)}`),
    `body         ${report.contentType}, ${report.contentType === 'framed' ? `frames of ${formatBytes(report.frameLength)}, ` : ''}${report.bodyLength === undefined ? 'after' : `${report.bodyLength} bytes after`} a ${report.headerLength}-byte header`,
    'note         the header is not authenticated until a key opens the message: treat these as claims',
  ];
  return `${lines.join('\n')}\n`;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .summary('show what a message header says, without any key')
    .description(
      'Prints the algorithm suite, encryption context and recipients (wrapped data keys) of a message. ' +
        'Needs no key and makes no KMS call; only the header is read (from stdin too, so the ' +
        'total size is not shown then).',
    )
    .argument('[file]', 'the message; - or absent for stdin', STDIO)
    .option('--json', 'print JSON instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  polykms inspect report.pdf.pkms\n' +
        "  polykms inspect data.pkms --json | jq -r '.recipients[].keyUri'\n" +
        '  curl -s https://example.com/data.pkms | polykms inspect -',
    )
    .action(async (file: string, flags: { json?: boolean }) => {
      if (file === STDIO) assertStdinIsNotTerminal('inspect');
      const report = await inspectFile(file);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
    });
}
