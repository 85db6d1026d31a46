import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type TlsIdentity, generateLeafCertificate, identityFits } from './certificate.js';

/**
 * Where the Azure TLS identity lives. With a state file, the certificate (`<state>.azure-cert.pem`,
 * 0644) and its private key (`<state>.azure-key.pem`, 0600) sit beside it and are reused while they
 * still name the advertised host, so a process that read NODE_EXTRA_CA_CERTS before a restart still
 * connects after it. The key is never in the state file, which users copy and attach to bug reports.
 * Without a state file both live in a temporary folder removed at close.
 */
export interface TlsFiles {
  readonly identity: TlsIdentity;
  /** Absolute path of the certificate, for NODE_EXTRA_CA_CERTS. */
  readonly certFile: string;
  dispose(): Promise<void>;
}

export async function prepareTlsFiles(names: readonly string[], stateFile?: string): Promise<TlsFiles> {
  if (stateFile === undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'polykms-emulator-'));
    const identity = await generateLeafCertificate(names);
    const certFile = join(dir, 'azure-cert.pem');
    await writeFile(certFile, identity.certPem, { mode: 0o644 });
    return { identity, certFile, dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  const certFile = resolve(`${stateFile}.azure-cert.pem`);
  const keyFile = resolve(`${stateFile}.azure-key.pem`);
  const kept = await readIdentity(certFile, keyFile);
  if (kept !== undefined && identityFits(kept, names)) {
    return { identity: kept, certFile, dispose: async () => {} };
  }
  const identity = await generateLeafCertificate(names);
  await writeFile(keyFile, identity.keyPem, { mode: 0o600 });
  await chmod(keyFile, 0o600); // `mode` applies only when the file is created
  await writeFile(certFile, identity.certPem, { mode: 0o644 });
  return { identity, certFile, dispose: async () => {} };
}

async function readIdentity(certFile: string, keyFile: string): Promise<TlsIdentity | undefined> {
  try {
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
