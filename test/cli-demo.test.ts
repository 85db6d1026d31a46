import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHeader } from '@polykms/envelope';
import { inspectKeyset, isKeysetEncryptedDataKey } from '@polykms/keyset';
import { describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

/** The one line of the demo's output that matches `pattern`, with its groups. */
function lineMatching(out: string, pattern: RegExp): RegExpMatchArray {
  const match = out.match(pattern);
  if (!match) throw new Error(`no line matches ${pattern}`);
  return match;
}

/** The total of a `KMS calls: … (N in total)` report. */
const totalCalls = (line: string) => Number(lineMatching(line, /\((\d+) in total\)/)[1]);

describe('polykms demo', () => {
  it('tells the whole story on the embedded emulator, and the files it keeps bear it out', async () => {
    await ensureCliBuilt();
    const { dir, cleanup } = await workDir();
    let kept: string | undefined;
    try {
      const result = await runCli(['demo', '--keep'], { cwd: dir });
      const out = result.stdout.toString();
      expect(result.code, `${out}\n${result.stderr}`).toBe(0);
      kept = lineMatching(out, /\(files kept in (.+)\)/)[1];
      expect(out).not.toContain('MISMATCH');
      expect(out).not.toContain('unexpected');

      // Failover and the cache.
      expect(out).toContain('AWS only: refused, exit code 7');
      expect(out).toMatch(/AWS then Google Cloud: ok, opened by gcp-kms/);
      expect(out).toMatch(/without a cache: 1,000 AWS KMS calls/);
      expect(out).toMatch(/with CachingKeyring .*: 1 AWS KMS call/);

      // Under the keyset: one KMS call to open it, none for 1,000 records.
      expect(totalCalls(lineMatching(out, /opening the keyset: KMS calls: .*/)[0])).toBe(1);
      expect(totalCalls(lineMatching(out, /encrypting 1,000 records into records\/: KMS calls: .*/)[0])).toBe(
        0,
      );

      // The move to Azure: a handful of KMS calls, none to AWS, and not one record byte written.
      const rewrap = lineMatching(
        out,
        /keyset: generation 1 -> 2, recipients (.*) -> (.*); \d+ bytes written; KMS calls: .*/,
      );
      expect(rewrap[1]).toBe('aws-kms + gcp-kms');
      expect(rewrap[2]).toBe('gcp-kms + azure-kv');
      expect(rewrap[0]).not.toContain('AWS KMS');
      expect(totalCalls(rewrap[0])).toBeLessThan(10);
      const records = lineMatching(
        out,
        /records: (\d+) of 1,000 files changed \(SHA-256 of all records: (\w+) before, (\w+) after\)/,
      );
      expect(records[1]).toBe('0');
      expect(records[2]).toBe(records[3]);
      const viaAzure = lineMatching(out, /through Azure: ([\d,]+) of 1,000 records identical; KMS calls: .*/);
      expect(viaAzure[1]).toBe('1,000');
      expect(viaAzure[0]).not.toMatch(/AWS KMS|Google Cloud KMS/);
      expect(totalCalls(viaAzure[0])).toBeLessThan(5);
      expect(out).toMatch(/AWS opening the new keyset: refused, exit code 4/);

      // The old keyset copy: opens with AWS until the AWS key is disabled.
      expect(out).toContain('old copy through AWS: opens, record identical');
      expect(out).toMatch(/old copy through AWS, key disabled: refused, exit code 4 .*ERR_KEY_DISABLED/);

      // The standalone file: re-encrypted under the keyset, a new message id, dead for AWS.
      const moved = lineMatching(
        out,
        /orders\.csv\.pkms: message id (\w+)… -> (\w+)…, recipients (.*) -> (.*); KMS calls/,
      );
      expect(moved[1]).not.toBe(moved[2]);
      expect(moved[4]).toBe('polykms-keyset');
      expect(out).toContain('run again: already-migrated');
      expect(out).toMatch(/new file through AWS: refused, exit code 4/);
      expect(out).toMatch(/old copy through AWS: refused, exit code 4 .*ERR_KEY_DISABLED/);
      expect(out).toMatch(/flipped: refused, exit code 3 — ERR_DECRYPTION_FAILED/);

      // What is on disk agrees.
      const keyset = inspectKeyset(await readFile(join(kept ?? '', 'orders.keyset')));
      const backup = inspectKeyset(await readFile(join(kept ?? '', 'backup.keyset')));
      expect(keyset.keysetId).toBe(backup.keysetId);
      expect([backup.generation, keyset.generation]).toEqual([1, 2]);
      expect(keyset.recipients.map((r) => r.providerId).sort()).toEqual(['azure-kv', 'gcp-kms']);
      const migrated = parseHeader(await readFile(join(kept ?? '', 'orders.csv.pkms')));
      expect(migrated.encryptedDataKeys).toHaveLength(1);
      expect(migrated.encryptedDataKeys.every((edk) => isKeysetEncryptedDataKey(edk, keyset.keysetId))).toBe(
        true,
      );
      const recordFiles = await readdir(join(kept ?? '', 'records'));
      expect(recordFiles).toHaveLength(1000);
    } finally {
      if (kept) await rm(kept, { recursive: true, force: true });
      await cleanup();
    }
  }, 180_000);
});
