import { describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

describe('polykms demo', () => {
  it('tells the whole migration story on the embedded emulator with no flags, and exits 0', async () => {
    await ensureCliBuilt();
    const { dir, cleanup } = await workDir();
    try {
      const result = await runCli(['demo'], { cwd: dir });
      const out = result.stdout.toString();
      expect(result.code, `${out}\n${result.stderr}`).toBe(0);
      for (const step of [
        'Create a key in each cloud',
        'Encrypt a file for AWS + Google Cloud',
        'Inspect it',
        'Decrypt with each cloud alone',
        'AWS goes down',
        'data-key cache',
        'Migrate: rewrap the file to Azure and drop AWS',
        'Tampering is caught',
        'Do the same on real clouds',
      ]) {
        expect(out).toContain(step);
      }
      expect(out).toContain('AWS only: fails, exit code 7');
      expect(out).toMatch(/AWS then Google Cloud: ok, opened by gcp-kms/);
      expect(out).toMatch(/without a cache: 1,000 AWS KMS calls/);
      expect(out).toContain('a new data key and a new body');
      expect(out).toContain('Azure alone: plaintext identical');
      expect(out).toContain('ERR_DECRYPTION_FAILED');
      expect(out).not.toContain('MISMATCH');
      expect(out).not.toContain('unexpected');
    } finally {
      await cleanup();
    }
  }, 120_000);
});
