// The operator's own MetalLB webhook server against real TLS clients on loopback: the TLS settings the
// operator renders for its operands (TLS_*, or the cluster's profile) are what its own handshake enforces,
// and new settings apply to new connections without a restart.
import { silentLogger } from '../../kube/log';
import { createCA, createServingCert } from '../../kube/tls/certs';
import type { TlsOptions } from '../../render/options';
import { handshake } from '../../testkit/tlshandshake';
import { serverSettingsFor } from '../app/tlswatch';
import { MetalLBWebhookServer } from './server';

const servers: MetalLBWebhookServer[] = [];

const settings = (o: Partial<TlsOptions>): TlsOptions => ({
  minVersion: undefined,
  cipherSuites: undefined,
  curvePreferences: undefined,
  ...o,
});

async function serving(tls: TlsOptions | undefined): Promise<{ server: MetalLBWebhookServer; port: number }> {
  const server = new MetalLBWebhookServer(silentLogger());
  servers.push(server);
  const cert = createServingCert(createCA(), { dnsNames: ['localhost'], validityMs: 3_600_000 });
  const port = await server.listen(0, '127.0.0.1', cert, serverSettingsFor(tls));
  return { server, port };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("TLS settings on the operator's webhook server", () => {
  test('unset: TLS 1.2 and 1.3 are served, TLS 1.1 is refused', async () => {
    const { port } = await serving(undefined);
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toMatchObject({ protocol: 'TLSv1.2' });
    expect(await handshake(port, {})).toMatchObject({ protocol: 'TLSv1.3' });
    expect(await handshake(port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' })).toHaveProperty('refused');
  });

  test('TLS_MIN_VERSION=VersionTLS13 refuses a TLS 1.2 client', async () => {
    const { port } = await serving(settings({ minVersion: 'VersionTLS13' }));
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toEqual({
      refused: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect(await handshake(port, {})).toMatchObject({ protocol: 'TLSv1.3' });
  });

  test('TLS_CIPHER_SUITES refuses a TLS 1.2 client offering only suites outside the list', async () => {
    const suites = 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256';
    const { port } = await serving(settings({ cipherSuites: suites }));
    const tls12 = { maxVersion: 'TLSv1.2' } as const;
    expect(await handshake(port, { ...tls12, ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })).toHaveProperty(
      'refused',
    );
    const offered = 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256';
    expect(await handshake(port, { ...tls12, ciphers: offered })).toMatchObject({
      cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    });
  });

  test('TLS_CURVE_PREFERENCES limits the key exchange groups', async () => {
    const { port } = await serving(settings({ curvePreferences: '24' }));
    expect(await handshake(port, { ecdhCurve: 'X25519' })).toHaveProperty('refused');
    expect(await handshake(port, { ecdhCurve: 'P-384' })).toMatchObject({ protocol: 'TLSv1.3' });
  });

  test('new settings apply to the next connection: Intermediate-like, then TLS 1.3 only, then back', async () => {
    const { server, port } = await serving(settings({ minVersion: 'VersionTLS12' }));
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toMatchObject({ protocol: 'TLSv1.2' });
    server.useTls(serverSettingsFor(settings({ minVersion: 'VersionTLS13' })));
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toEqual({
      refused: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    server.useTls(serverSettingsFor(settings({ minVersion: 'VersionTLS12' })));
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toMatchObject({ protocol: 'TLSv1.2' });
  });
});
