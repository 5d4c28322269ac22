// The speaker image's frr-metrics (tools/frrmetrics, built by scripts/build-cluster-bins.sh frrmetrics) as
// the `frr-metrics` container runs it: in the FRR sidecar's mount namespace (e2e/harness/routers/frrsidecar.ts,
// so vtysh finds the daemons at /var/run/frr), against real FRR peering with an FRR router over BGP and BFD.
// Scraped over HTTP, then over HTTPS with render/frr.ts's --tls-* flags, where /metrics is behind a
// TokenReview and a SubjectAccessReview made against a real kube-apiserver with ServiceAccount tokens. Needs
// root, the control-plane binaries, Go (to build frr-metrics when it is not there yet), FRR 8.4 with
// frr-pythontools, curl and openssl.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bfd as bfdObject, buildOk, peer as peerObject } from '../../testkit/configfixtures';
import { z } from 'zod';
import { startControlPlane, type ControlPlane } from '../../e2e/harness/controlplane';
import type { HarnessRestClient } from '../../e2e/harness/kubeconfig';
import { createWorld, exposeRootPort, type Forward, type World } from '../../e2e/harness/net';
import { BIN_ROOT, BUILD_SCRIPT, REPO_ROOT } from '../../e2e/harness/paths';
import type { ManagedProcess } from '../../e2e/harness/processes';
import { startFrr, type FrrRouter } from '../../e2e/harness/routers/frr';
import { startFrrSidecar, type FrrSidecar } from '../../e2e/harness/routers/frrsidecar';
import { waitFor } from '../../e2e/harness/readiness';
import { systemClock } from '../../kube/clock';
import { parsePrefix } from '../bgp/codec/prefix';
import { FrrReloader } from './reload';
import { FrrSessions } from './sessions';

jest.setTimeout(240_000);

const ROUTER_AS = 64512;
const NODE_AS = 64513;
const HTTP_PORT = 7473;
const HTTPS_PORT = 7474;
const TOOL_DIR = path.join(REPO_ROOT, 'tools', 'frrmetrics');

/** The folder build-cluster-bins.sh's frrmetrics_hash names: go.mod and the .go files in byte order. */
function frrMetricsBinary(): string {
  const names = fs
    .readdirSync(TOOL_DIR)
    .filter((n) => n === 'go.mod' || n.endsWith('.go'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const hash = createHash('sha256');
  for (const n of names) hash.update(fs.readFileSync(path.join(TOOL_DIR, n)));
  return path.join(BIN_ROOT, `frrmetrics-${hash.digest('hex').slice(0, 12)}`, 'frr-metrics');
}

let world: World | undefined;
let router: FrrRouter | undefined;
let sidecar: FrrSidecar | undefined;
let frr: FrrSessions | undefined;
const exporters: ManagedProcess[] = [];
let certDir: string | undefined;
let cp: ControlPlane | undefined;
let admin: HarnessRestClient | undefined;
let forward: Forward | undefined;
/** TokenRequest tokens: a scraper allowed GET /metrics, and one that is not. */
const tokens = { scraper: '', stranger: '' };
const NS = 'frrmetrics';

async function create(path: string, body: Record<string, unknown>): Promise<unknown> {
  return need(admin, 'admin client').request({ method: 'POST', path, body });
}

/** A ServiceAccount in NS and a TokenRequest token for it. */
async function serviceAccountToken(name: string): Promise<string> {
  await create(`/api/v1/namespaces/${NS}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name },
  });
  const res = await create(`/api/v1/namespaces/${NS}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  });
  return z.object({ status: z.object({ token: z.string() }) }).parse(res).status.token;
}

function clusterRoleBinding(name: string, role: string, serviceAccount: string): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: NS }],
  };
}

/**
 * The reviewer (frr-metrics' own ServiceAccount, allowed to create both reviews as the speaker's ClusterRole
 * is), the scraper (GET on /metrics, as the cluster's Prometheus) and a stranger; returns the reviewer's token.
 */
async function setUpAccounts(): Promise<string> {
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const reviewer = await serviceAccountToken('frr-metrics');
  await create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'frrmetrics-reviews' },
    rules: [
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ],
  });
  await create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'frrmetrics-scrape' },
    rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
  });
  const bindings = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
  await create(bindings, clusterRoleBinding('frrmetrics-reviews', 'frrmetrics-reviews', 'frr-metrics'));
  tokens.scraper = await serviceAccountToken('prometheus');
  await create(bindings, clusterRoleBinding('frrmetrics-scrape', 'frrmetrics-scrape', 'prometheus'));
  tokens.stranger = await serviceAccountToken('stranger');
  return reviewer;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} did not start (see beforeAll)`);
  return v;
}

/** curl in node1: the status code, then the body. `-k`: the certificate is self-signed. */
async function get(url: string, extra: string[] = []): Promise<{ code: number; body: string }> {
  const out = (
    await need(world, 'world').exec('node1', ['curl', '-sS', '-k', ...extra, '-w', '\n%{http_code}', url], {
      timeoutMs: 20_000,
    })
  ).stdout;
  const at = out.lastIndexOf('\n');
  return { code: Number(out.slice(at + 1)), body: out.slice(0, at) };
}

beforeAll(async () => {
  const binary = frrMetricsBinary();
  if (!fs.existsSync(binary))
    execFileSync(path.join(REPO_ROOT, BUILD_SCRIPT), ['frrmetrics'], { cwd: REPO_ROOT, stdio: 'inherit' });

  world = await createWorld({ nodes: 1 });
  const w = world;
  cp = await startControlPlane({ scheduler: false, controllerManager: false });
  admin = cp.adminClient();
  // The apiserver listens on the root namespace's loopback; frr-metrics dials the same URL from node1.
  forward = await exposeRootPort(w, Number(new URL(cp.server).port), ['node1']);
  const reviewerToken = await setUpAccounts();
  const bfd = { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 };
  [router, sidecar] = await Promise.all([
    startFrr(w, 'router', {
      hostname: 'router',
      asn: ROUTER_AS,
      routerId: w.router.primary.v4,
      neighbors: [{ address: w.host('node1').primary.v4, asn: NODE_AS, bfd }],
    }),
    startFrrSidecar(w, 'node1', { reloader: 'shipped' }),
  ]);
  const s = sidecar;

  // The node's frr.conf, as the speaker hands it over: one peer with a BFD profile, one route.
  const config = buildOk({
    nodes: [{ metadata: { name: 'node1', labels: {} } }],
    bfdProfiles: [bfdObject('fast', bfd)],
    bgpPeers: [
      peerObject('router', {
        myASN: NODE_AS,
        peerASN: ROUTER_AS,
        peerAddress: w.router.primary.v4,
        bfdProfile: 'fast',
      }),
    ],
  });
  const reloader = new FrrReloader({
    clock: systemClock(),
    configFile: path.join(s.reloaderDir, 'frr.conf'),
    pidFile: path.join(s.reloaderDir, 'reloader.pid'),
    debounceMs: 200,
  });
  frr = new FrrSessions({ hostname: 'node1', logLevel: 'info', reloader });
  frr.setBfdProfiles([...config.bfdProfiles.values()]);
  frr.sync([...config.peers.values()]);
  const prefix = parsePrefix('198.51.100.5/32');
  if (prefix === undefined) throw new Error('prefix');
  frr.setRoutes('router', [{ prefix }]);

  // A self-signed serving certificate, as the service CA's would be on OpenShift.
  certDir = fs.mkdtempSync(path.join(w.runDir, 'frrmetrics-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=frr-metrics',
      '-keyout',
      path.join(certDir, 'tls.key'),
      '-out',
      path.join(certDir, 'tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  fs.writeFileSync(path.join(certDir, 'kube-ca.crt'), cp.caPem);
  fs.writeFileSync(path.join(certDir, 'token'), reviewerToken, { mode: 0o600 });

  // As render/frr.ts runs it, but for the daemons /livez requires: this sidecar has no staticd or watchfrr.
  exporters.push(
    await w.spawnIn(
      'node1',
      'frr-metrics-http',
      s.inMountNamespace([binary, `--metrics-port=${HTTP_PORT}`, '--required-daemons=zebra,bgpd,bfdd']),
    ),
  );
  // render/frr.ts's OpenShift arguments, and upstream's default daemon list; the apiserver and the pod's
  // ServiceAccount files named as a Pod would find them in-cluster.
  exporters.push(
    await w.spawnIn(
      'node1',
      'frr-metrics-https',
      s.inMountNamespace([
        binary,
        `--metrics-port=${HTTPS_PORT}`,
        `--tls-cert-file=${path.join(certDir, 'tls.crt')}`,
        `--tls-private-key-file=${path.join(certDir, 'tls.key')}`,
        '--tls-min-version=VersionTLS13',
        '--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        '--tls-curve-preferences=23,29',
        `--kube-api-server=${cp.server}`,
        `--kube-token-file=${path.join(certDir, 'token')}`,
        `--kube-ca-file=${path.join(certDir, 'kube-ca.crt')}`,
      ]),
    ),
  );
});

afterAll(async () => {
  for (const p of exporters) await p.stop(5_000);
  for (const p of forward?.processes ?? []) await p.stop(2_000);
  admin?.close();
  await cp?.stop();
  await frr?.stop();
  await sidecar?.stop();
  await router?.stop();
  await world?.destroy();
});

test('/metrics reports the BGP and BFD sessions with upstream names and {peer,vrf} labels', async () => {
  const w = need(world, 'world');
  const routerV4 = w.router.primary.v4;
  await need(router, 'router').waitEstablished(w.host('node1').primary.v4, 90_000);
  let body = '';
  await waitFor(
    'frr-metrics reports the BGP session and BFD up, one prefix announced',
    async () => {
      body = (await get(`http://127.0.0.1:${HTTP_PORT}/metrics`)).body;
      return (
        body.includes(`metallb_bgp_session_up{peer="${routerV4}:179",vrf="default"} 1\n`) &&
        body.includes(`metallb_bfd_session_up{peer="${routerV4}",vrf="default"} 1\n`) &&
        body.includes(`metallb_bgp_announced_prefixes_total{peer="${routerV4}:179",vrf="default"} 1\n`)
      );
    },
    { timeoutMs: 90_000, maxIntervalMs: 1_000 },
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}; last scrape:\n${body}`);
  });
  expect(body).toContain('# TYPE metallb_bgp_session_up gauge\n');
  expect(body).toContain('# TYPE metallb_bgp_updates_total counter\n');
  const updates = /^metallb_bgp_updates_total\{peer="[^"]+:179",vrf="default"\} (\d+)$/m.exec(body);
  expect(Number(updates?.[1])).toBeGreaterThanOrEqual(1);
  const bfdOut = /^metallb_bfd_control_packet_output\{peer="[^"]+",vrf="default"\} (\d+)$/m.exec(body);
  expect(Number(bfdOut?.[1])).toBeGreaterThan(0);
});

test('/livez is 200 while the required daemons answer vtysh', async () => {
  const res = await get(`http://127.0.0.1:${HTTP_PORT}/livez`);
  expect(res).toEqual({ code: 200, body: 'ok\n' });
});

test('over HTTPS with the --tls-* flags: TLS 1.3 served, 1.2 refused, /livez names the missing daemons', async () => {
  const w = need(world, 'world');
  const url = `https://127.0.0.1:${HTTPS_PORT}`;
  const metrics = await get(`${url}/metrics`, ['--tlsv1.3', '-H', `Authorization: Bearer ${tokens.scraper}`]);
  expect(metrics.code).toBe(200);
  expect(metrics.body).toContain(
    `metallb_bgp_session_up{peer="${w.router.primary.v4}:179",vrf="default"} 1\n`,
  );
  // --tls-min-version=VersionTLS13: a client that stops at 1.2 fails the handshake.
  await expect(get(`${url}/livez`, ['--tls-max', '1.2'])).rejects.toThrow();
  // Upstream's list wants staticd and watchfrr, which this sidecar does not run.
  const livez = await get(`${url}/livez`);
  expect(livez.code).toBe(503);
  expect(livez.body).toContain('staticd');
  expect(livez.body).toContain('watchfrr');
});

test('over HTTPS /metrics wants a token the apiserver knows, of a user allowed GET /metrics', async () => {
  const url = `https://127.0.0.1:${HTTPS_PORT}/metrics`;
  expect((await get(url)).code).toBe(401);
  expect((await get(url, ['-H', 'Authorization: Bearer not-a-token'])).code).toBe(401);
  const stranger = await get(url, ['-H', `Authorization: Bearer ${tokens.stranger}`]);
  expect(stranger.code).toBe(403);
  expect(stranger.body).not.toContain('metallb_');
  expect((await get(url, ['-H', `Authorization: Bearer ${tokens.scraper}`])).code).toBe(200);
});
