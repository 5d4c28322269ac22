// The controller's webhook server, started with the TLS flags the operator renders, against real TLS clients
// on loopback: what the flags say is what the handshake enforces.
import { silentLogger } from '../../kube/log';
import { createCA, createServingCert } from '../../kube/tls/certs';
import { parseFlags } from '../flags';
import { handshake } from '../../testkit/tlshandshake';
import { WebhookServer } from './server';

const servers: WebhookServer[] = [];

async function serverWith(args: string[]): Promise<number> {
  return (await startWith(args)).port;
}

async function startWith(args: string[]): Promise<{ server: WebhookServer; port: number }> {
  const server = new WebhookServer({
    namespace: 'metallb-system',
    snapshot: () => Promise.reject(new Error('no request is made by these tests')),
    logger: silentLogger(),
  });
  servers.push(server);
  const cert = createServingCert(createCA(), { dnsNames: ['localhost'], validityMs: 3_600_000 });
  return { server, port: await server.listen(0, '127.0.0.1', cert, parseFlags(args, {}).tls) };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('TLS flags on the webhook server', () => {
  test('--tls-min-version=VersionTLS13 refuses a TLS 1.2 client and serves a TLS 1.3 one', async () => {
    const port = await serverWith(['--tls-min-version=VersionTLS13']);
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toEqual({
      refused: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect(await handshake(port, {})).toMatchObject({ protocol: 'TLSv1.3' });
  });

  test('a rotated certificate keeps the TLS settings: TLS 1.2 is still refused under VersionTLS13', async () => {
    const { server, port } = await startWith(['--tls-min-version=VersionTLS13']);
    server.setCertificate(createServingCert(createCA(), { dnsNames: ['localhost'], validityMs: 3_600_000 }));
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toEqual({
      refused: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect(await handshake(port, {})).toMatchObject({ protocol: 'TLSv1.3' });
  });

  test('without the flag TLS 1.2 is served and TLS 1.1 is not', async () => {
    const port = await serverWith([]);
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toMatchObject({ protocol: 'TLSv1.2' });
    expect(await handshake(port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' })).toHaveProperty('refused');
  });

  test('--tls-cipher-suites limits TLS 1.2 to the suites named (IANA names)', async () => {
    const port = await serverWith(['--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384']);
    expect(
      await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
    ).toHaveProperty('refused');
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toEqual({
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    });
  });

  test('--tls-curve-preferences limits the key exchange groups (CurveIDs)', async () => {
    const port = await serverWith(['--tls-curve-preferences=24']);
    expect(await handshake(port, { ecdhCurve: 'P-256' })).toHaveProperty('refused');
    expect(await handshake(port, { ecdhCurve: 'P-384' })).toMatchObject({ protocol: 'TLSv1.3' });
  });
});
