import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeRestClient } from '../rest';
import { createCA, createServingCert } from '../tls/certs';
import { ClusterAccess } from './clusteraccess';
import type { ClusterCredentials, TokenSource } from './credentials';

const ca = createCA();
const serving = createServingCert(ca, {
  dnsNames: ['kubernetes'],
  ips: ['127.0.0.1'],
  validityMs: 86_400_000,
});

/** An HTTPS server on 127.0.0.1 answering {} and recording each Authorization header and socket. */
async function apiServer() {
  const auth: Array<string | undefined> = [];
  const sockets = new Set<unknown>();
  const server = https.createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    auth.push(req.headers.authorization);
    sockets.add(req.socket);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `https://127.0.0.1:${port}`, auth, sockets };
}

const open: Array<{ close(): void }> = [];
afterEach(() => open.splice(0).forEach((o) => o.close()));

const access = (c: Partial<ClusterCredentials> & { server: string }): ClusterAccess => {
  const a = new ClusterAccess({ insecureSkipTLSVerify: false, origin: 'test', ...c });
  open.push(a);
  return a;
};

describe('ClusterAccess', () => {
  it('trusts the given CA, sends the bearer token read per request, and reuses one connection', async () => {
    const s = await apiServer();
    open.push(s.server);
    let token = 'one';
    const bearer: TokenSource = { token: () => token };
    const rest = new KubeRestClient(access({ server: s.url, caPem: ca.cert, bearer }));
    await rest.request({ method: 'GET', path: '/api' });
    token = 'two';
    await rest.request({ method: 'GET', path: '/api' });
    expect(s.auth).toEqual(['Bearer one', 'Bearer two']);
    expect(s.sockets.size).toBe(1);
  });

  it('refuses a server its CA did not sign, unless insecure-skip-tls-verify', async () => {
    const s = await apiServer();
    open.push(s.server);
    const other = createCA();
    await expect(
      new KubeRestClient(access({ server: s.url, caPem: other.cert })).request({ method: 'GET', path: '/' }),
    ).rejects.toThrow(/UNABLE_TO_VERIFY|certificate/);
    const insecure = access({ server: s.url, insecureSkipTLSVerify: true });
    await expect(new KubeRestClient(insecure).request({ method: 'GET', path: '/' })).resolves.toEqual({});
  });

  it('checks tls-server-name instead of the host in the URL', async () => {
    const s = await apiServer();
    open.push(s.server);
    const wrong = access({ server: s.url, caPem: ca.cert, tlsServerName: 'not-kubernetes' });
    await expect(new KubeRestClient(wrong).request({ method: 'GET', path: '/' })).rejects.toThrow(
      /not-kubernetes/,
    );
    const right = access({ server: s.url, caPem: ca.cert, tlsServerName: 'kubernetes' });
    await expect(new KubeRestClient(right).request({ method: 'GET', path: '/' })).resolves.toEqual({});
  });

  it('sends basic auth, and nothing without credentials', () => {
    expect(access({ server: 'https://h', basic: { username: 'a', password: 'b' } }).authorization()).toBe(
      `Basic ${Buffer.from('a:b').toString('base64')}`,
    );
    expect(access({ server: 'https://h' }).authorization()).toBeUndefined();
    expect(access({ server: 'http://h' }).agent).toBeInstanceOf(http.Agent);
  });
});
