import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { HealthServer } from './health';
import { createCA, createServingCert } from './tls/certs';
import { createRegistry, reconcileMetrics } from './metrics';
import { captureLogger } from '../testkit/capturedlogger';

const running: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: Partial<ConstructorParameters<typeof HealthServer>[0]> = {}) {
  const server = new HealthServer({ logger: captureLogger().logger, ...options });
  running.push(server);
  const port = await server.listen(0, '127.0.0.1');
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };
  return { server, get };
}

describe('HealthServer probes', () => {
  it('answers ok on /healthz and /readyz when every check passes', async () => {
    const { server, get } = await start();
    server.addReadinessCheck('informers-synced', () => undefined);
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok' });
  });

  it('answers 500 naming the failing readiness check and its reason, and ok once it passes', async () => {
    const { server, get } = await start();
    let synced = false;
    server.addReadinessCheck('informers-synced', () => {
      if (!synced) throw new Error('services not synced');
    });
    server.addReadinessCheck('config-loaded', async () => undefined);
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(500);
    expect(notReady.body).toBe(
      '[-]informers-synced failed: services not synced\n[+]config-loaded ok\nreadyz check failed\n',
    );
    expect((await get('/healthz')).status).toBe(200); // readiness does not affect liveness
    synced = true;
    expect((await get('/readyz')).status).toBe(200);
  });

  it('fails a liveness check that does not answer in time', async () => {
    const { server, get } = await start({ checkTimeoutMs: 10 });
    server.addLivenessCheck('stuck', () => new Promise<void>(() => undefined));
    const res = await get('/healthz');
    expect(res.status).toBe(500);
    expect(res.body).toContain('[-]stuck failed: no answer within 10ms');
  });

  it('answers 404 for unknown paths and 405 for writes', async () => {
    const { get } = await start();
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/healthz', 'POST')).status).toBe(405);
  });
});

describe('HealthServer metrics', () => {
  it('serves the registry in the Prometheus text format, with default and reconcile metrics', async () => {
    const registry = createRegistry();
    reconcileMetrics(registry).observe('service', 'error', 12);
    const { get } = await start({ metrics: registry, probes: false });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain('controller_runtime_reconcile_errors_total{controller="service"} 1');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect((await get('/healthz')).status).toBe(404); // probes off on a metrics-only server
  });

  it('serves no /metrics without a registry', async () => {
    const { get } = await start();
    expect((await get('/metrics')).status).toBe(404);
  });
});

describe('HealthServer over HTTPS', () => {
  it('serves probes openly and /metrics only to whom authorizeMetrics admits, under the TLS settings', async () => {
    const registry = createRegistry();
    const cert = createServingCert(createCA(), { dnsNames: ['localhost'], validityMs: 3_600_000 });
    const server = new HealthServer({
      logger: captureLogger().logger,
      metrics: registry,
      tls: { ...cert, settings: { minVersion: 'TLSv1.3' } },
      authorizeMetrics: (authorization) =>
        Promise.resolve(authorization === 'Bearer good' ? 200 : authorization === undefined ? 401 : 403),
    });
    running.push(server);
    const port = await server.listen(0, '127.0.0.1');
    const get = (path: string, headers: Record<string, string> = {}, maxVersion?: 'TLSv1.2') =>
      new Promise<{ status: number; protocol: string }>((resolve, reject) => {
        const req = https.get(
          {
            host: '127.0.0.1',
            port,
            path,
            headers,
            rejectUnauthorized: false,
            ...(maxVersion ? { maxVersion } : {}),
          },
          (res) => {
            res.resume();
            const socket = res.socket as TLSSocket;
            resolve({ status: res.statusCode ?? 0, protocol: socket.getProtocol() ?? '' });
          },
        );
        req.on('error', reject);
      });
    expect(await get('/healthz')).toEqual({ status: 200, protocol: 'TLSv1.3' });
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { Authorization: 'Bearer other' })).status).toBe(403);
    expect((await get('/metrics', { Authorization: 'Bearer good' })).status).toBe(200);
    await expect(get('/healthz', {}, 'TLSv1.2')).rejects.toThrow(/protocol version/i);
  });
});
