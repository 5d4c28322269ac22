import * as crypto from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, createServingCert, isCertValid } from './certs';
import { oid, time, unsignedInteger } from './der';

const DAY = 86_400_000;

describe('DER encoding', () => {
  it('encodes OIDs with multi-byte arcs (X.690 8.19)', () => {
    expect(oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
  });
  it('adds a leading zero to integers whose top bit is set', () => {
    expect(unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(unsignedInteger(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105');
  });
  it('uses UTCTime before 2050 and GeneralizedTime after', () => {
    expect(time(new Date('2026-11-23T10:46:10Z')).toString('latin1')).toBe('\x17\x0d261123104610Z');
    expect(time(new Date('2051-01-02T03:04:05Z')).toString('latin1')).toBe('\x18\x0f20510102030405Z');
  });
});

describe('webhook certificates', () => {
  const ca = createCA();
  const serving = createServingCert(ca, {
    dnsNames: ['metallb-webhook-service.metallb-system.svc', 'metallb-webhook-service'],
    ips: ['127.0.0.1', '::1'],
    validityMs: 365 * DAY,
  });

  it('the CA is a CA named "cert", organisation "metallb", and self-signed', () => {
    const x = new crypto.X509Certificate(ca.cert);
    expect(x.ca).toBe(true);
    expect(x.subject).toContain('CN=cert');
    expect(x.subject).toContain('O=metallb');
    expect(x.verify(x.publicKey)).toBe(true);
  });

  it('the serving certificate is signed by the CA and names the service and the addresses', () => {
    const x = new crypto.X509Certificate(serving.cert);
    const authority = new crypto.X509Certificate(ca.cert);
    expect(x.ca).toBe(false);
    expect(x.verify(authority.publicKey)).toBe(true);
    expect(x.checkIssued(authority)).toBe(true);
    expect(x.checkHost('metallb-webhook-service.metallb-system.svc')).toBe(
      'metallb-webhook-service.metallb-system.svc',
    );
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(x.checkPrivateKey(crypto.createPrivateKey(serving.key))).toBe(true);
  });

  it('a TLS client trusting only the CA completes a handshake with the serving certificate', async () => {
    const server = https.createServer({ cert: serving.cert, key: serving.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, ca: ca.cert, path: '/' }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });

  it('isCertValid wants the CA signature and enough time left', () => {
    expect(isCertValid(serving.cert, ca.cert, 30 * DAY)).toBe(true);
    expect(isCertValid(serving.cert, ca.cert, 400 * DAY)).toBe(false);
    expect(isCertValid(serving.cert, createCA().cert, 0)).toBe(false);
    expect(isCertValid('garbage', ca.cert, 0)).toBe(false);
  });
});
