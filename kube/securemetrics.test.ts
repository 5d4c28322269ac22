// Secure metrics: who may scrape is decided by the API server (TokenReview, then SubjectAccessReview).
import * as https from 'node:https';
import { createRegistry } from './metrics';
import { silentLogger } from './log';
import type { RestClient, RestRequest } from './rest';
import { authorizeMetrics, startSecureMetrics } from './securemetrics';

/** An API server that knows one token per user and lets only "prometheus" read /metrics. */
class FakeAuth implements RestClient {
  readonly requests: RestRequest[] = [];
  async request(req: RestRequest): Promise<unknown> {
    this.requests.push(req);
    const body = JSON.stringify(req.body);
    if (req.path.endsWith('/tokenreviews')) {
      const user = body.includes('"token":"good"')
        ? 'prometheus'
        : body.includes('"token":"other"')
          ? 'someone'
          : undefined;
      return user
        ? { status: { authenticated: true, user: { username: user, groups: ['system:authenticated'] } } }
        : { status: { authenticated: false } };
    }
    return {
      status: { allowed: body.includes('"user":"prometheus"') && body.includes('"path":"/metrics"') },
    };
  }
}

function get(port: number, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(
        {
          host: '127.0.0.1',
          port,
          path: '/metrics',
          rejectUnauthorized: false,
          agent: false,
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      )
      .on('error', reject);
  });
}

describe('secure metrics', () => {
  it('authorizeMetrics: no token 401, unknown token 401, not allowed 403, allowed 200', async () => {
    const rest = new FakeAuth();
    expect(await authorizeMetrics(rest, undefined)).toBe(401);
    expect(await authorizeMetrics(rest, 'Bearer nope')).toBe(401);
    expect(await authorizeMetrics(rest, 'Bearer other')).toBe(403);
    expect(await authorizeMetrics(rest, 'Bearer good')).toBe(200);
    expect(rest.requests).toHaveLength(5);
  });

  it('serves the registry over HTTPS with a self-signed certificate to an authorized caller only', async () => {
    const registry = createRegistry({ withoutDefaultMetrics: true });
    const server = await startSecureMetrics({
      registry,
      rest: new FakeAuth(),
      logger: silentLogger(),
      port: 0,
      host: '127.0.0.1',
    });
    try {
      expect((await get(server.port)).status).toBe(401);
      expect((await get(server.port, 'other')).status).toBe(403);
      const ok = await get(server.port, 'good');
      expect(ok.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
