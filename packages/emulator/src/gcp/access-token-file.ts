import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Any bearer token is accepted; gcloud just needs one to send (CLOUDSDK_AUTH_ACCESS_TOKEN_FILE). */
const DUMMY_TOKEN = 'polykms-emulator-token';

export interface AccessTokenFile {
  /** Absolute path, for CLOUDSDK_AUTH_ACCESS_TOKEN_FILE. */
  readonly path: string;
  dispose(): Promise<void>;
}

/** Beside the state file (a stable path across restarts), or in a temporary folder removed at close. */
export async function writeAccessTokenFile(beside: string | undefined): Promise<AccessTokenFile> {
  if (beside !== undefined) {
    const path = resolve(`${beside}.gcloud-token`);
    await writeFile(path, DUMMY_TOKEN, { mode: 0o644 });
    return { path, dispose: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'polykms-emulator-gcp-'));
  const path = join(dir, 'gcloud-token');
  await writeFile(path, DUMMY_TOKEN, { mode: 0o644 });
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}
