import { generate } from 'selfsigned';

export interface LoopbackCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * A fresh self-signed certificate for the loopback names a client may use. EC P-256 keeps start-up
 * fast; the private key lives only in this process.
 */
export async function generateLoopbackCertificate(): Promise<LoopbackCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'polykms-emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 365 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}
