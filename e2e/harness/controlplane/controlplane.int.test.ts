// Integration test of the control-plane harness against real upstream binaries. It must fail, never skip, when
// the binaries are absent: a green run has to mean a real apiserver enforced real RBAC and accepted our CRDs.
// API calls go through kube/rest.ts with in-memory credentials (client-node 2.x is ESM-only, see clientnode.ts).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { statusCodeOf } from '../../../kube/errors';
import type { RestClient } from '../../../kube/rest';
import { startControlPlane, type ControlPlane } from './controlplane';
import { restClient, type HarnessRestClient } from '../kubeconfig';
import { controlPlaneBinaries, kubectlBinary, REPO_ROOT } from '../paths';
import { waitFor } from '../readiness';

const execFileP = promisify(execFile);
const START_TIMEOUT_MS = 180_000;
const KUBECTL = kubectlBinary();
const CRD_DIR = path.join(REPO_ROOT, 'crds');
jest.setTimeout(60_000);

let cp: ControlPlane | undefined;
let admin: HarnessRestClient | undefined;
const clients: HarnessRestClient[] = [];

function plane(): ControlPlane {
  if (cp === undefined) throw new Error('control plane did not start (see beforeAll failure)');
  return cp;
}

function adminApi(): RestClient {
  if (admin === undefined) throw new Error('control plane did not start (see beforeAll failure)');
  return admin;
}

/** 200 when the call succeeds, else the HTTP status of the API error. */
async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    const code = statusCodeOf(err);
    if (code === undefined) throw err;
    return code;
  }
}

/** Signal 0 probes for existence without signalling; ESRCH means the PID is gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  return waitFor(what, check, { timeoutMs });
}

async function kubectl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  // A clean environment: no user KUBECONFIG and no proxies can change which server kubectl talks to.
  return execFileP(KUBECTL, ['--kubeconfig', plane().kubeconfigPath, ...args], {
    env: { PATH: '/usr/bin:/bin', HOME: path.join(plane().runDir, 'kubectl-home') },
    maxBuffer: 16 << 20,
  });
}

const nameList = z.object({ items: z.array(z.object({ metadata: z.object({ name: z.string() }) })) });
const crdSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  status: z
    .looseObject({ conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).nullish() })
    .optional(),
});

function crdFiles(): string[] {
  return fs
    .readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(CRD_DIR, f));
}

beforeAll(async () => {
  // Checked up front so the failure is the MissingBinariesError naming scripts/build-cluster-bins.sh, and
  // explicitly not a skip.
  controlPlaneBinaries();
  const t = Date.now();
  cp = await startControlPlane();
  admin = restClient(cp.adminCredentials);
  // Reported so start-up regressions are visible in CI logs.
  process.stderr.write(
    `[controlplane.int] spawn-to-ready ${cp.timings.spawnToReady}ms, total ${Date.now() - t}ms ` +
      `${JSON.stringify(cp.timings)} run=${cp.runDir}\n`,
  );
}, START_TIMEOUT_MS);

afterAll(async () => {
  for (const c of clients) c.close();
  admin?.close();
  await cp?.stop();
});

describe('control plane harness', () => {
  test('serves the API to the admin credentials', async () => {
    const ns = nameList.parse(await adminApi().request({ method: 'GET', path: '/api/v1/namespaces' }));
    expect(ns.items.map((n) => n.metadata.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']),
    );
    // The kubernetes Service got the first address of the documentation range we configured.
    const svc = z
      .looseObject({ spec: z.looseObject({ clusterIP: z.string() }) })
      .parse(
        await adminApi().request({ method: 'GET', path: '/api/v1/namespaces/default/services/kubernetes' }),
      );
    expect(svc.spec.clusterIP).toBe('198.51.100.1');
  });

  test('kubectl apply --dry-run=server and --dry-run=client accept every CRD in crds/', async () => {
    expect(crdFiles().length).toBeGreaterThan(0);
    // Dry runs first, while the CRDs do not exist yet, so the server validates them as creations.
    const server = await kubectl(['apply', '--dry-run=server', '-f', CRD_DIR]);
    const client = await kubectl(['apply', '--dry-run=client', '-f', CRD_DIR]);
    for (const out of [server.stdout, client.stdout]) {
      expect(out.trim().split('\n')).toHaveLength(crdFiles().length);
    }
    expect(server.stdout).toMatch(
      /customresourcedefinition\.apiextensions\.k8s\.io\/\S+ created \(server dry run\)/,
    );
    expect(client.stdout).toMatch(
      /customresourcedefinition\.apiextensions\.k8s\.io\/\S+ created \(dry run\)/,
    );
    // Nothing was persisted by either.
    const crds = nameList.parse(
      await adminApi().request({
        method: 'GET',
        path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      }),
    );
    expect(crds.items.filter((c) => c.metadata.name.endsWith('.metallb.io'))).toEqual([]);
  });

  test('the apiserver accepts every CRD in crds/ and establishes it', async () => {
    const names: string[] = [];
    for (const file of crdFiles()) {
      for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const body: unknown = doc.toJS();
        if (body === null || body === undefined) continue;
        const created = crdSchema.parse(
          await adminApi().request({
            method: 'POST',
            path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
            body,
          }),
        );
        names.push(created.metadata.name);
      }
    }
    expect(names.length).toBe(crdFiles().length);
    for (const name of names) {
      await eventually(`CRD ${name} Established`, async () => {
        const crd = crdSchema.parse(
          await adminApi().request({
            method: 'GET',
            path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
          }),
        );
        const cond = (t: string): string | undefined =>
          crd.status?.conditions?.find((c) => c.type === t)?.status;
        return cond('Established') === 'True' && cond('NamesAccepted') === 'True';
      });
    }
    // Served: an empty list of a new resource. Established can precede the storage's readiness by a moment (the
    // apiserver answers 429 "storage is (re)initializing" until then), so this waits too.
    let pools: z.infer<typeof nameList> | undefined;
    await eventually('ipaddresspools to be served', async () => {
      pools = nameList.parse(
        await adminApi().request({
          method: 'GET',
          path: '/apis/metallb.io/v1beta1/namespaces/default/ipaddresspools',
        }),
      );
      return true;
    });
    expect(pools?.items).toEqual([]);
  });

  test('RBAC denies a user that has no binding', async () => {
    const creds = await plane().issueCredentials('mallory', ['ironlb-e2e:nobody']);
    const mallory = restClient(creds);
    clients.push(mallory);
    // Authenticated (403, not 401) but not authorized, for reads and writes alike.
    expect(
      await statusOf(() => mallory.request({ method: 'GET', path: '/api/v1/namespaces/default/pods' })),
    ).toBe(403);
    expect(await statusOf(() => mallory.request({ method: 'GET', path: '/api/v1/secrets' }))).toBe(403);
    expect(
      await statusOf(() =>
        mallory.request({
          method: 'POST',
          path: '/api/v1/namespaces',
          body: { metadata: { name: 'mallory' } },
        }),
      ),
    ).toBe(403);
    // kubectl agrees, through the same identity in a kubeconfig.
    const kc = await plane().userKubeconfig('mallory', ['ironlb-e2e:nobody']);
    const out = await execFileP(KUBECTL, ['--kubeconfig', kc, 'auth', 'can-i', 'list', 'pods'], {
      env: { PATH: '/usr/bin:/bin' },
    }).catch((err: unknown) => err as { stdout: string });
    expect(out.stdout.trim()).toBe('no');
  });

  test('a TokenRequest token for a ServiceAccount can do exactly what its Role allows', async () => {
    const api = adminApi();
    const ns = `rbac-${Date.now().toString(36)}`;
    const other = `${ns}-other`;
    for (const name of [ns, other])
      await api.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name } } });
    await api.request({
      method: 'POST',
      path: `/api/v1/namespaces/${ns}/serviceaccounts`,
      body: { metadata: { name: 'probe' } },
    });
    for (const namespace of [ns, other]) {
      await api.request({
        method: 'POST',
        path: `/api/v1/namespaces/${namespace}/secrets`,
        body: { metadata: { name: 'data' }, stringData: { k: 'v' } },
      });
    }

    // A bound token from the TokenRequest API: no legacy Secret-based token is involved.
    const tr = z.looseObject({ status: z.looseObject({ token: z.string() }) }).parse(
      await api.request({
        method: 'POST',
        path: `/api/v1/namespaces/${ns}/serviceaccounts/probe/token`,
        body: { spec: { expirationSeconds: 600 } },
      }),
    );
    expect(tr.status.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const probe = restClient({ server: plane().server, caPem: plane().caPem, token: tr.status.token });
    clients.push(probe);
    const get = (p: string) => statusOf(() => probe.request({ method: 'GET', path: p }));

    // Authenticated (not 401) but not authorized.
    expect(await get('/api/v1/secrets')).toBe(403);
    expect(await get(`/api/v1/namespaces/${ns}/secrets`)).toBe(403);

    await api.request({
      method: 'POST',
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
      body: {
        metadata: { name: 'secret-reader' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
      },
    });
    await api.request({
      method: 'POST',
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
      body: {
        metadata: { name: 'probe-reads-secrets' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'probe', namespace: ns }],
      },
    });

    // The RBAC authorizer reads through an informer cache, so the grant becomes visible shortly after.
    await eventually(
      'RoleBinding to take effect',
      async () => (await get(`/api/v1/namespaces/${ns}/secrets`)) === 200,
    );
    expect(await get(`/api/v1/namespaces/${ns}/secrets/data`)).toBe(200);

    // ...and nothing beyond what the Role names: other verbs, resources, namespaces, or cluster scope.
    expect(await get('/api/v1/secrets')).toBe(403);
    expect(await get(`/api/v1/namespaces/${other}/secrets`)).toBe(403);
    expect(await get(`/api/v1/namespaces/${other}/secrets/data`)).toBe(403);
    expect(await get(`/api/v1/namespaces/${ns}/configmaps`)).toBe(403);
    expect(
      await statusOf(() =>
        probe.request({
          method: 'POST',
          path: `/api/v1/namespaces/${ns}/secrets`,
          body: { metadata: { name: 'new' } },
        }),
      ),
    ).toBe(403);
    expect(
      await statusOf(() =>
        probe.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}/secrets/data` }),
      ),
    ).toBe(403);
  });

  test('stop() ends exactly the processes it started', async () => {
    const p = plane();
    const pids = p.pids();
    expect(pids).toHaveLength(4);
    await p.stop();
    expect(p.pids()).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
    // The API must be down too, not just the processes we looked at.
    await expect(adminApi().request({ method: 'GET', path: '/api/v1/namespaces' })).rejects.toThrow();
  });
});

describe("controllerCredentials: 'shared'", () => {
  test('its controllers act with the shared identity (a Deployment gets its ReplicaSet)', async () => {
    const t = Date.now();
    const fast = await startControlPlane({ controllerCredentials: 'shared', scheduler: false });
    const api = restClient(fast.adminCredentials);
    try {
      process.stderr.write(
        `[controlplane.int] shared controller credentials: spawn-to-ready ${fast.timings.spawnToReady}ms, ` +
          `total ${Date.now() - t}ms ${JSON.stringify(fast.timings)}\n`,
      );
      await api.request({
        method: 'POST',
        path: '/apis/apps/v1/namespaces/default/deployments',
        body: {
          metadata: { name: 'd' },
          spec: {
            replicas: 0,
            selector: { matchLabels: { app: 'd' } },
            template: {
              metadata: { labels: { app: 'd' } },
              spec: { containers: [{ name: 'c', image: 'ironlb.test/node' }] },
            },
          },
        },
      });
      await eventually('a ReplicaSet for Deployment d', async () => {
        const rs = nameList.parse(
          await api.request({ method: 'GET', path: '/apis/apps/v1/namespaces/default/replicasets' }),
        );
        return rs.items.some((r) => r.metadata.name.startsWith('d-'));
      });
    } finally {
      api.close();
      await fast.stop();
    }
  });
});
