import http from 'node:http';
import https from 'node:https';
import { KubeApiError, KubeTransportError, isAlreadyExists, isNotFound } from './errors';
import {
  CONTENT_TYPE,
  KeepAliveAgents,
  KubeConfigLike,
  KubeRestClient,
  buildUrl,
  parseErrorBody,
} from './rest';

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 answering with the handler's status and body. */
async function serve(
  handler: (seen: Seen) => { status: number; body: string; delayMs?: number },
): Promise<{ server: http.Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      const answer = handler(s);
      const write = (): void => {
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(answer.body);
      };
      if (answer.delayMs !== undefined) setTimeout(write, answer.delayMs);
      else write();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('test server has no port');
  const { port } = address;
  return { server, base: `http://127.0.0.1:${port}`, seen };
}

function kubeConfig(server: string): KubeConfigLike {
  return {
    getCurrentCluster: () => ({ server }),
    applyToHTTPSOptions: async (opts) => {
      const headers = opts.headers;
      if (headers !== undefined && !Array.isArray(headers))
        opts.headers = { ...headers, Authorization: 'Bearer t0ken' };
    },
  };
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('KubeRestClient', () => {
  it('sends method, path, query, auth, content type and JSON body, and parses the JSON answer', async () => {
    const { server, base, seen } = await serve(() => ({ status: 200, body: '{"kind":"Service"}' }));
    servers.push(server);
    const client = new KubeRestClient(kubeConfig(base));
    const out = await client.request({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/services/web',
      query: { fieldManager: 'ironlb', force: true, skip: undefined },
      body: { spec: { x: 1 } },
      contentType: CONTENT_TYPE.apply,
    });
    expect(out).toEqual({ kind: 'Service' });
    expect(seen[0]).toMatchObject({
      method: 'PATCH',
      url: '/api/v1/namespaces/default/services/web?fieldManager=ironlb&force=true',
      body: '{"spec":{"x":1}}',
    });
    expect(seen[0]?.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(seen[0]?.headers.authorization).toBe('Bearer t0ken');
  });

  it('returns undefined for an empty success body and sends no content type without a body', async () => {
    const { server, base, seen } = await serve(() => ({ status: 200, body: '' }));
    servers.push(server);
    expect(await new KubeRestClient(kubeConfig(base)).request({ method: 'GET', path: '/x' })).toBeUndefined();
    expect(seen[0]?.headers['content-type']).toBeUndefined();
  });

  it('throws KubeApiError carrying code and metav1.Status reason', async () => {
    const status = {
      kind: 'Status',
      code: 409,
      reason: 'AlreadyExists',
      message: 'leases "x" already exists',
    };
    const { server, base } = await serve(() => ({ status: 409, body: JSON.stringify(status) }));
    servers.push(server);
    const err = await new KubeRestClient(kubeConfig(base))
      .request({ method: 'POST', path: '/y', body: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(isAlreadyExists(err)).toBe(true);
    expect(String(err)).toContain('already exists');
  });

  it('keeps a non-JSON error body as the message', async () => {
    const { server, base } = await serve(() => ({ status: 404, body: 'page not found' }));
    servers.push(server);
    const err = await new KubeRestClient(kubeConfig(base))
      .request({ method: 'GET', path: '/z' })
      .catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
    expect(err instanceof KubeApiError && err.status?.message).toBe('page not found');
  });

  it('wraps connection failures in KubeTransportError', async () => {
    const { server, base } = await serve(() => ({ status: 200, body: '{}' }));
    await new Promise((r) => server.close(r));
    const err = await new KubeRestClient(kubeConfig(base))
      .request({ method: 'GET', path: '/z' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeTransportError);
  });

  it('gives up after the timeout when the server does not answer', async () => {
    const { server, base } = await serve(() => ({ status: 200, body: '{}', delayMs: 100 }));
    servers.push(server);
    const err = await new KubeRestClient(kubeConfig(base), { timeoutMs: 20 })
      .request({ method: 'GET', path: '/slow' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeTransportError);
    expect(String(err)).toContain('no response within 20ms');
  });

  it('fails clearly without a current cluster', async () => {
    const kc: KubeConfigLike = { getCurrentCluster: () => null, applyToHTTPSOptions: async () => undefined };
    await expect(new KubeRestClient(kc).request({ method: 'GET', path: '/' })).rejects.toThrow(
      'no current cluster',
    );
  });
});

describe('KeepAliveAgents', () => {
  test("replaces client-node's plain https.Agent by one keep-alive agent with the same TLS options", () => {
    const agents = new KeepAliveAgents();
    const original = new https.Agent({ ca: 'CA-PEM', servername: 'kubernetes', rejectUnauthorized: true });
    const upgraded = agents.upgrade(original);
    expect(upgraded).toBeInstanceOf(https.Agent);
    expect(upgraded).not.toBe(original);
    const options = (upgraded as https.Agent).options;
    expect(options).toMatchObject({
      ca: 'CA-PEM',
      servername: 'kubernetes',
      rejectUnauthorized: true,
      keepAlive: true,
    });
    // One keep-alive agent per original, so connections are pooled across requests.
    expect(agents.upgrade(original)).toBe(upgraded);
  });

  test('leaves proxy agents (subclasses), keep-alive agents and booleans alone', () => {
    const agents = new KeepAliveAgents();
    class ProxyAgent extends https.Agent {}
    const proxy = new ProxyAgent();
    const keepAlive = new https.Agent({ keepAlive: true });
    expect(agents.upgrade(proxy)).toBe(proxy);
    expect(agents.upgrade(keepAlive)).toBe(keepAlive);
    expect(agents.upgrade(false)).toBe(false);
  });
});

describe('buildUrl', () => {
  it('keeps a server path prefix and drops undefined query values', () => {
    expect(
      buildUrl('https://h:6443/k8s/clusters/c-1/', '/api/v1/nodes', { a: 'b c', d: undefined }).toString(),
    ).toBe('https://h:6443/k8s/clusters/c-1/api/v1/nodes?a=b+c');
  });
});

describe('parseErrorBody', () => {
  it('reads a Status and falls back to the text', () => {
    expect(parseErrorBody(410, '{"kind":"Status","code":410,"reason":"Expired"}')).toMatchObject({
      reason: 'Expired',
    });
    expect(parseErrorBody(502, '<html>bad gateway</html>')).toEqual({
      code: 502,
      message: '<html>bad gateway</html>',
    });
  });
});
