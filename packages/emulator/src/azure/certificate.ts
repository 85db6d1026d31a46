import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface TlsIdentity {
  readonly certPem: string;
  readonly keyPem: string;
}

/** @deprecated kept for callers of the old name; the certificate is a leaf now. */
export type LoopbackCertificate = TlsIdentity;

const VALIDITY_MS = 365 * 86_400_000;

/**
 * A self-signed **leaf** certificate (CA:false, no keyCertSign) naming exactly `names`. Trusting it
 * (NODE_EXTRA_CA_CERTS) lets a client reach this server and nothing else: a leaf cannot sign other
 * certificates, so the emulator's key can never vouch for `kms.us-east-1.amazonaws.com` or any
 * other host. EC P-256 keeps start-up fast.
 */
export async function generateLeafCertificate(names: readonly string[]): Promise<TlsIdentity> {
  if (names.length === 0) throw new Error('a TLS certificate needs at least one name');
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: names[0] as string }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })),
      },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/** Whether a kept identity still fits: a leaf, valid for a day more, naming exactly `names`. */
export function identityFits(identity: TlsIdentity, names: readonly string[]): boolean {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(identity.certPem);
  } catch {
    return false;
  }
  if (certificate.ca) return false;
  if (Date.parse(certificate.validTo) < Date.now() + 86_400_000) return false;
  const sans = (certificate.subjectAltName ?? '').split(', ').sort();
  const wanted = names.map((name) => (isIP(name) ? `IP Address:${name}` : `DNS:${name}`)).sort();
  return sans.length === wanted.length && sans.every((san, i) => san === wanted[i]);
}
