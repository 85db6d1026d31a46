import type { Command } from 'commander';
import { type MessageInfo, inspect } from '@polykms/envelope';
import { keyUriOfEncryptedDataKey } from '@polykms/key-uri';
import { readHeaderBytes } from '../io/header-bytes.js';
import { STDIO } from '../io/input.js';

export interface InspectReport extends Omit<MessageInfo, 'bodyLength'> {
  readonly file: string;
  readonly totalLength: number;
  readonly bodyLength: number;
  /** Each recipient with the key URI that decrypts it, where the header names one. */
  readonly recipients: readonly { providerId: string; providerInfo: string; keyUri: string | undefined }[];
}

export async function inspectFile(file: string): Promise<InspectReport> {
  const { bytes, totalLength } = await readHeaderBytes(file);
  const info = inspect(bytes);
  return {
    file,
    ...info,
    totalLength,
    bodyLength: totalLength - info.headerLength,
    recipients: info.encryptedDataKeys.map((edk) => ({
      providerId: edk.providerId,
      providerInfo: edk.providerInfo,
      keyUri: keyUriOfEncryptedDataKey(edk.providerId, edk.providerInfo),
    })),
  };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export function formatInspectReport(report: InspectReport): string {
  const hexId = `0x${report.suiteId.toString(16).padStart(4, '0')}`;
  const traits = [
    report.committing ? 'key-committing' : 'not key-committing',
    report.signed ? 'signed' : 'unsigned',
  ];
  const contextPairs = Object.entries(report.encryptionContext);
  const lines = [
    `message      ${report.file === STDIO ? 'stdin' : report.file} (${report.totalLength} bytes)`,
    `format       v${report.version}, suite ${hexId} ${report.suiteName} (${traits.join(', ')})`,
    `message id   ${report.messageId}`,
    `context      ${contextPairs.length === 0 ? '(none)' : contextPairs.map(([k, v]) => `${k}=${v}`).join('\n             ')}`,
    `recipients   ${report.recipients.length}`,
    ...report.recipients.map(
      (r) =>
        `  - ${r.providerId.padEnd(9)} ${r.keyUri ?? r.providerInfo}` +
        (r.keyUri && r.providerId === 'gcp-kms' ? `  (version ${r.providerInfo.split('/').pop()})` : ''),
    ),
    `body         ${report.contentType}, ${report.contentType === 'framed' ? `frames of ${formatBytes(report.frameLength)}, ` : ''}${report.bodyLength} bytes after a ${report.headerLength}-byte header`,
    'note         the header is not authenticated until a key opens the message: treat these as claims',
  ];
  return `${lines.join('\n')}\n`;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .summary('show what a message header says, without any key')
    .description(
      'Prints the algorithm suite, encryption context and recipients (wrapped data keys) of a message.\n' +
        'Needs no key and makes no KMS call; only the header is read.',
    )
    .argument('[file]', 'the message; - or absent for stdin', STDIO)
    .option('--json', 'print JSON instead of text')
    .action(async (file: string, flags: { json?: boolean }) => {
      const report = await inspectFile(file);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
    });
}
