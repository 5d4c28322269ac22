// Integration test of the control-plane harness against real upstream binaries. It must fail, never skip, when
// the binaries are absent: a green run has to mean a real apiserver enforced real RBAC.
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { clientNode } from './clientnode';
import { startControlPlane, type ControlPlane } from './controlplane';
import { controlPlaneBinaries } from './paths';

const START_TIMEOUT_MS = 180_000;
jest.setTimeout(60_000);

let cp: ControlPlane | undefined;

function plane(): ControlPlane {
  if (cp === undefined) throw new Error('control plane did not start (see beforeAll failure)');
  return cp;
}

/** Resolves to the HTTP status of a client-node call: 200 on success, the ApiException code otherwise. */
async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
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

async function eventually(what: string, cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}

beforeAll(async () => {
  // Checked up front so the failure is the MissingBinariesError naming scripts/build-cluster-bins.sh, and
  // explicitly not a skip.
  controlPlaneBinaries();
  const t = Date.now();
  cp = await startControlPlane();
  // Reported so start-up regressions are visible in CI logs.
  process.stderr.write(
    `[controlplane.int] ready in ${Date.now() - t}ms ${JSON.stringify(cp.timings)} run=${cp.runDir}\n`,
  );
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cp?.stop();
});

describe('control plane harness', () => {
  let admin: KubeConfig;
  let core: CoreV1Api;

  beforeAll(() => {
    admin = plane().kubeConfig();
    core = admin.makeApiClient(clientNode().CoreV1Api);
  });

  test('serves the API to the admin kubeconfig', async () => {
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
    // The kubernetes Service got the first address of the documentation range we configured.
    const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    expect(svc.spec?.clusterIP).toBe('198.51.100.1');
  });

  test('RBAC denies an unprivileged ServiceAccount token and a RoleBinding grants exactly what it names', async () => {
    const k8s = clientNode();
    const ns = `rbac-${Date.now().toString(36)}`;
    const other = `${ns}-other`;
    const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
    for (const name of [ns, other]) await core.createNamespace({ body: { metadata: { name } } });
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'probe' } } });
    for (const namespace of [ns, other]) {
      await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'data' }, stringData: { k: 'v' } } });
    }

    // A bound token from the TokenRequest API: no legacy Secret-based token is involved.
    const tr = await core.createNamespacedServiceAccountToken({
      name: 'probe',
      namespace: ns,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tr.status?.token;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(await plane().tokenKubeconfig(`${ns}-probe`, token ?? ''));
    const asProbe = kc.makeApiClient(k8s.CoreV1Api);

    // Authenticated (not 401) but not authorized.
    expect(await statusOf(() => asProbe.listSecretForAllNamespaces())).toBe(403);
    expect(await statusOf(() => asProbe.listNamespacedSecret({ namespace: ns }))).toBe(403);

    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'secret-reader' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'probe-reads-secrets' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'probe', namespace: ns }],
      },
    });

    // The RBAC authorizer reads through an informer cache, so the grant becomes visible shortly after.
    await eventually(
      'RoleBinding to take effect',
      async () => (await statusOf(() => asProbe.listNamespacedSecret({ namespace: ns }))) === 200,
    );
    const secret = await asProbe.readNamespacedSecret({ name: 'data', namespace: ns });
    expect(secret.metadata?.name).toBe('data');

    // ...and nothing beyond what the Role names: other verbs, resources, namespaces, or cluster scope.
    expect(await statusOf(() => asProbe.listSecretForAllNamespaces())).toBe(403);
    expect(await statusOf(() => asProbe.listNamespacedSecret({ namespace: other }))).toBe(403);
    expect(await statusOf(() => asProbe.readNamespacedSecret({ name: 'data', namespace: other }))).toBe(403);
    expect(await statusOf(() => asProbe.listNamespacedConfigMap({ namespace: ns }))).toBe(403);
    expect(
      await statusOf(() => asProbe.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'new' } } })),
    ).toBe(403);
    expect(await statusOf(() => asProbe.deleteNamespacedSecret({ name: 'data', namespace: ns }))).toBe(403);
  });

  test('stop() ends exactly the processes it started', async () => {
    const p = plane();
    const pids = p.pids();
    expect(pids).toHaveLength(4);
    await p.stop();
    expect(p.pids()).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
    // The API must be down too, not just the processes we looked at.
    await expect(core.listNamespace()).rejects.toThrow();
  });
});
