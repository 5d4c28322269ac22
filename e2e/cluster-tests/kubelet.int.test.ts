// The process kubelet against a real control plane (loopback mode): pods scheduled by the real scheduler onto a
// simulated node run as local processes, talk to the apiserver as their own ServiceAccount through the projected
// token files, see their env resolved, report Running/Ready from a readiness probe, and end when deleted; the
// apiserver reads their output through the kubelet endpoint (`kubectl logs`).
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { isNotFound } from '../../kube/errors';
import type { RestClient } from '../../kube/rest';
import { startControlPlane, type ControlPlane } from '../harness/controlplane';
import { restClient, type HarnessRestClient } from '../harness/kubeconfig';
import { Kubelet, TEST_IMAGE } from '../harness/kubelet';
import { SimNode } from '../harness/nodes';
import { Pki } from '../harness/certs';
import { controlPlaneBinaries, kubectlBinary, REPO_ROOT } from '../harness/paths';
import { freePorts } from '../harness/ports';
import { waitFor } from '../harness/readiness';

jest.setTimeout(90_000);

const execFileP = promisify(execFile);
// The kubelet port is set in beforeAll: in loopback placement each node needs a free one of its own.
const NODE = { name: 'node1', ipv4: '192.0.2.11', ipv6: '2001:db8:1::11', kubeletPort: 0 };
const NS = 'kubelet-test';

let cp: ControlPlane | undefined;
let admin: HarnessRestClient | undefined;
let node: SimNode | undefined;
let kubelet: Kubelet | undefined;
// A second node whose kubelet asks for a fast crash-loop back-off.
const FAST_NODE = { name: 'node2', ipv4: '192.0.2.12', ipv6: '2001:db8:1::12', kubeletPort: 0 };
let fastNode: SimNode | undefined;
let fastKubelet: Kubelet | undefined;

function api(): RestClient {
  if (admin === undefined) throw new Error('control plane did not start (see beforeAll failure)');
  return admin;
}

function need(c: ControlPlane | undefined): ControlPlane {
  if (c === undefined) throw new Error('control plane did not start (see beforeAll failure)');
  return c;
}

function theKubelet(): Kubelet {
  if (kubelet === undefined) throw new Error('kubelet did not start (see beforeAll failure)');
  return kubelet;
}

const podSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    uid: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.looseObject({ nodeName: z.string().optional() }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      podIP: z.string().optional(),
      podIPs: z.array(z.looseObject({ ip: z.string() })).optional(),
      hostIP: z.string().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
      containerStatuses: z
        .array(
          z.looseObject({
            name: z.string(),
            ready: z.boolean(),
            restartCount: z.number().optional(),
            lastState: z
              .looseObject({ terminated: z.looseObject({ exitCode: z.number() }).optional() })
              .optional(),
            state: z.looseObject({
              running: z.looseObject({}).optional(),
              terminated: z.looseObject({ exitCode: z.number() }).optional(),
              waiting: z.looseObject({ reason: z.string(), message: z.string().optional() }).optional(),
            }),
          }),
        )
        .optional(),
    })
    .optional(),
});
type Pod = z.infer<typeof podSchema>;
const podList = z.looseObject({ items: z.array(podSchema) });

async function getPod(name: string): Promise<Pod | undefined> {
  try {
    return podSchema.parse(
      await api().request({ method: 'GET', path: `/api/v1/namespaces/${NS}/pods/${name}` }),
    );
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function waitForPod(
  what: string,
  name: string,
  check: (p: Pod) => boolean,
  timeoutMs = 30_000,
): Promise<Pod> {
  let last: Pod | undefined;
  await waitFor(
    `pod ${NS}/${name} ${what}`,
    async () => {
      last = await getPod(name);
      if (last !== undefined && check(last)) return true;
      throw new Error(`status ${JSON.stringify(last?.status ?? 'absent').slice(0, 800)}`);
    },
    { timeoutMs },
  );
  if (last === undefined) throw new Error('unreachable: waitFor returned without a pod');
  return last;
}

const isReady = (p: Pod): boolean =>
  p.status?.phase === 'Running' &&
  p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Every line a container printed (from the file the kubelet writes). */
function outputLines(podName: string, container = 'main'): string[] {
  const file = theKubelet().logOf(NS, podName, container);
  if (file === undefined || !fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n');
}

/** The JSON lines a test-image container printed. */
function outputOf(podName: string, container = 'main'): Record<string, unknown>[] {
  const file = theKubelet().logOf(NS, podName, container);
  if (file === undefined) throw new Error(`kubelet does not know pod ${podName}`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => z.record(z.string(), z.unknown()).parse(JSON.parse(l)));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function create(path: string, body: Record<string, unknown>): Promise<void> {
  await api().request({ method: 'POST', path, body });
}

beforeAll(async () => {
  controlPlaneBinaries();
  cp = await startControlPlane();
  admin = restClient(cp.adminCredentials);
  const [kubeletPort] = await freePorts(1);
  if (kubeletPort === undefined) throw new Error('no free port for the kubelet');
  NODE.kubeletPort = kubeletPort;
  node = await SimNode.start(cp, NODE);
  kubelet = await Kubelet.start(cp, NODE);
  const [fastPort] = await freePorts(1);
  if (fastPort === undefined) throw new Error('no free port for the second kubelet');
  FAST_NODE.kubeletPort = fastPort;
  fastNode = await SimNode.start(cp, FAST_NODE);
  // Cordoned: the scheduler keeps placing every other test's pods on node1; node2 only runs pods bound to it.
  await admin.request({
    method: 'PATCH',
    path: `/api/v1/nodes/${FAST_NODE.name}`,
    contentType: 'application/merge-patch+json',
    body: { spec: { unschedulable: true } },
  });
  fastKubelet = await Kubelet.start(cp, FAST_NODE, { restartBackoff: { initialMs: 200, maxMs: 400 } });

  await create('/api/v1/namespaces', { metadata: { name: NS } });
  await create(`/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: 'reader' } });
  await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, {
    metadata: { name: 'configmap-getter' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
  });
  await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
    metadata: { name: 'reader-gets-configmaps' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-getter' },
    subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
  });
  await create(`/api/v1/namespaces/${NS}/configmaps`, {
    metadata: { name: 'settings' },
    data: { greeting: 'hello' },
  });
  await create(`/api/v1/namespaces/${NS}/secrets`, {
    metadata: { name: 'creds' },
    stringData: { password: 's3cret' },
  });
}, 180_000);

afterAll(async () => {
  await kubelet?.stop();
  await fastKubelet?.stop();
  await node?.stop();
  await fastNode?.stop();
  admin?.close();
  await cp?.stop();
});

function checkerPod(name: string, steps: string[]): Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      serviceAccountName: 'reader',
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: TEST_IMAGE, args: steps }],
    },
  };
}

describe('process kubelet', () => {
  test("a pod's process acts as its ServiceAccount: reads the ConfigMap its Role allows, is denied secrets", async () => {
    const steps = [
      ['get', `/api/v1/namespaces/${NS}/configmaps/settings`, '200'],
      ['get', `/api/v1/namespaces/${NS}/secrets`, '403'],
      ['get', `/api/v1/namespaces/${NS}/secrets/creds`, '403'],
      // The Role grants get, not list.
      ['get', `/api/v1/namespaces/${NS}/configmaps`, '403'],
    ].flat();
    await create(`/api/v1/namespaces/${NS}/pods`, checkerPod('rbac-check', steps));
    const done = await waitForPod(
      'to succeed',
      'rbac-check',
      (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed',
    );
    const out = outputOf('rbac-check');
    expect(out.filter((l) => l.step === 'get').map((l) => [l.path, l.status])).toEqual([
      [`/api/v1/namespaces/${NS}/configmaps/settings`, 200],
      [`/api/v1/namespaces/${NS}/secrets`, 403],
      [`/api/v1/namespaces/${NS}/secrets/creds`, 403],
      [`/api/v1/namespaces/${NS}/configmaps`, 403],
    ]);
    // The ConfigMap's content came back to the process, not just a status code.
    expect(out[0]?.body).toMatchObject({ kind: 'ConfigMap', data: { greeting: 'hello' } });
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(0);
    expect(done.spec.nodeName).toBe(NODE.name);
  });

  test('a client-node program finds its in-cluster identity with loadFromDefault() (as ironlb main.ts does)', async () => {
    // client-node is ESM-only, hence a module script; it resolves from the repository's node_modules.
    const script = [
      "import * as k8s from '@kubernetes/client-node';",
      'const kc = new k8s.KubeConfig();',
      'kc.loadFromDefault();',
      'const core = kc.makeApiClient(k8s.CoreV1Api);',
      `const cm = await core.readNamespacedConfigMap({ name: 'settings', namespace: '${NS}' });`,
      'let denied = 0;',
      `try { await core.listNamespacedSecret({ namespace: '${NS}' }); } catch (e) { denied = e.code; }`,
      'console.log(JSON.stringify({ step: "client-node", greeting: cm.data.greeting, denied, server: kc.getCurrentCluster().server }));',
    ].join('\n');
    await create(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'client-node' },
      spec: {
        serviceAccountName: 'reader',
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image: 'ironlb.test/node',
            command: [process.execPath, '--input-type=module', '-e', script],
            workingDir: REPO_ROOT,
          },
        ],
      },
    });
    const done = await waitForPod(
      'to end',
      'client-node',
      (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed',
    );
    const file = theKubelet().logOf(NS, 'client-node', 'main') ?? '';
    expect({ phase: done.status?.phase, log: fs.readFileSync(file, 'utf8').slice(0, 2000) }).toMatchObject({
      phase: 'Succeeded',
    });
    const line = outputOf('client-node').find((l) => l.step === 'client-node');
    expect(line).toEqual({
      step: 'client-node',
      greeting: 'hello',
      denied: 403,
      server: `https://127.0.0.1:${need(cp).inClusterApiserver.port}`,
    });
  });

  // Root only: the kubelet gives each container a private mount namespace (mountns.ts) only then.
  (process.getuid?.() === 0 ? test : test.skip)(
    'a pod reads its namespace, token and ConfigMap at their real paths, and the host sees none of these mounts',
    async () => {
      const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
      const cfg = `/etc/ironlb-kubelet-test-${process.pid}`;
      const script = [
        "const fs = require('node:fs');",
        `const sa = ${JSON.stringify(sa)};`,
        'console.log(JSON.stringify({ step: "paths",',
        '  namespace: fs.readFileSync(sa + "/namespace", "utf8"),',
        '  hasToken: fs.readFileSync(sa + "/token", "utf8").split(".").length === 3,',
        `  greeting: fs.readFileSync(${JSON.stringify(`${cfg}/greeting`)}, "utf8"),`,
        `  mounted: fs.readFileSync("/proc/self/mountinfo", "utf8").includes(" ${cfg} ") }));`,
      ].join('\n');
      const hostMountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf8');
      await create(`/api/v1/namespaces/${NS}/pods`, {
        metadata: { name: 'real-paths' },
        spec: {
          serviceAccountName: 'reader',
          restartPolicy: 'Never',
          volumes: [{ name: 'settings', configMap: { name: 'settings' } }],
          containers: [
            {
              name: 'main',
              image: 'ironlb.test/node',
              command: [process.execPath, '-e', script],
              volumeMounts: [{ name: 'settings', mountPath: cfg, readOnly: true }],
            },
          ],
        },
      });
      const done = await waitForPod(
        'to end',
        'real-paths',
        (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed',
      );
      expect({
        phase: done.status?.phase,
        out: outputLines('real-paths').join('\n').slice(0, 2000),
      }).toMatchObject({
        phase: 'Succeeded',
      });
      expect(outputOf('real-paths').find((l) => l.step === 'paths')).toEqual({
        step: 'paths',
        namespace: NS,
        hasToken: true,
        greeting: 'hello',
        mounted: true,
      });
      // Private propagation: the host's mount table is as it was, and no mount point was made on the host.
      expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toBe(hostMountsBefore);
      expect(fs.existsSync(cfg)).toBe(false);
    },
  );

  test('a process that is denied what it expected exits non-zero and the pod fails', async () => {
    // The same image and ServiceAccount, expecting to list secrets: the 403 must surface as a failed pod.
    await create(
      `/api/v1/namespaces/${NS}/pods`,
      checkerPod('overreach', ['get', `/api/v1/namespaces/${NS}/secrets`, '200']),
    );
    const done = await waitForPod(
      'to end',
      'overreach',
      (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed',
    );
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(3);
    expect(outputOf('overreach').find((l) => l.step === 'get')?.status).toBe(403);
  });

  test('a Deployment pod gets its env resolved, becomes Running and Ready, and deleting it ends its process', async () => {
    const [port] = await freePorts(1);
    const envNames = [
      'NODE_NAME',
      'POD_NAME',
      'POD_NAMESPACE',
      'POD_IP',
      'HOST_IP',
      'PASSWORD',
      'GREETING',
      'COMPOSED',
    ];
    await create(`/apis/apps/v1/namespaces/${NS}/deployments`, {
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            serviceAccountName: 'reader',
            terminationGracePeriodSeconds: 20,
            containers: [
              {
                name: 'main',
                image: TEST_IMAGE,
                args: ['env', envNames.join(','), 'serve', String(port)],
                ports: [{ name: 'http', containerPort: port }],
                env: [
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                  { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
                  { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
                  { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
                  { name: 'COMPOSED', value: '$(GREETING)-$(NODE_NAME)' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    });

    let podName = '';
    await waitFor(
      'a ready pod of Deployment web',
      async () => {
        const pods = podList.parse(
          await api().request({
            method: 'GET',
            path: `/api/v1/namespaces/${NS}/pods`,
            query: { labelSelector: 'app=web' },
          }),
        );
        const ready = pods.items.find(isReady);
        podName = ready?.metadata.name ?? '';
        return ready !== undefined;
      },
      { timeoutMs: 45_000 },
    );
    const pod = await waitForPod('to be ready', podName, isReady);
    expect(pod.spec.nodeName).toBe(NODE.name);
    expect(pod.status?.podIP).toBe(NODE.ipv4);
    expect(pod.status?.podIPs?.map((p) => p.ip)).toEqual([NODE.ipv4, NODE.ipv6]);
    expect(pod.status?.hostIP).toBe(NODE.ipv4);
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);

    expect(outputOf(podName).find((l) => l.step === 'env')?.values).toEqual({
      NODE_NAME: NODE.name,
      POD_NAME: podName,
      POD_NAMESPACE: NS,
      POD_IP: NODE.ipv4,
      HOST_IP: NODE.ipv4,
      PASSWORD: 's3cret',
      GREETING: 'hello',
      COMPOSED: `hello-${NODE.name}`,
    });

    const pids = theKubelet().pidsOf(NS, podName);
    expect(pids).toHaveLength(1);
    expect(pids.every(alive)).toBe(true);

    // Graceful deletion: the apiserver only marks the pod; the kubelet stops the process (SIGTERM, which the
    // test image acknowledges) and then removes the object with grace period 0.
    await api().request({ method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/${podName}` });
    await waitFor('the deleted pod to disappear', async () => (await getPod(podName)) === undefined, {
      timeoutMs: 30_000,
    });
    expect(pids.filter(alive)).toEqual([]);
    expect(outputOf(podName).some((l) => l.step === 'terminated' && l.signal === 'SIGTERM')).toBe(true);

    await api().request({ method: 'DELETE', path: `/apis/apps/v1/namespaces/${NS}/deployments/web` });
  });

  test("a failing container is restarted at once, then backs off for the kubelet's 10 s, keeping its last exit", async () => {
    await create(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'crasher' },
      spec: {
        restartPolicy: 'OnFailure',
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'main', image: 'ironlb.test/node', command: [process.execPath, '-e', 'process.exit(7)'] },
        ],
      },
    });
    const restarted = await waitForPod(
      'to restart',
      'crasher',
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    expect(restarted.status?.phase).toBe('Running');
    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(7);
    // The second exit starts the back-off, with the kubelet's default first step and wording.
    const backingOff = await waitForPod(
      'to back off',
      'crasher',
      (p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff',
    );
    const status = backingOff.status?.containerStatuses?.[0];
    expect(status?.state.waiting?.message).toMatch(
      /^back-off 10s restarting failed container=main pod=crasher_/,
    );
    expect(status?.restartCount).toBe(1);
    await api().request({ method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/crasher` });
    await waitFor('pod crasher to be gone', async () => (await getPod('crasher')) === undefined, {
      timeoutMs: 30_000,
    });
  });

  test('a kubelet started with a fast back-off restarts a crash-looping container at that pace', async () => {
    const t0 = Date.now();
    await create(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'fast-crasher' },
      spec: {
        nodeName: FAST_NODE.name,
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'main', image: 'ironlb.test/node', command: [process.execPath, '-e', 'process.exit(1)'] },
        ],
      },
    });
    // Delays 0, 200, 400, 400 ms: four restarts in well under the kubelet's first 10 s step.
    const p = await waitForPod(
      'to restart four times',
      'fast-crasher',
      (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 4,
      9_000,
    );
    expect(Date.now() - t0).toBeLessThan(9_500);
    expect(p.spec.nodeName).toBe(FAST_NODE.name);
    const capped = await waitForPod(
      'to back off at the 400 ms cap',
      'fast-crasher',
      (x) => x.status?.containerStatuses?.[0]?.state.waiting?.message?.startsWith('back-off 400ms') === true,
    );
    expect(capped.status?.containerStatuses?.[0]?.state.waiting?.reason).toBe('CrashLoopBackOff');
    await api().request({ method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/fast-crasher` });
    await waitFor('pod fast-crasher to be gone', async () => (await getPod('fast-crasher')) === undefined, {
      timeoutMs: 30_000,
    });
  });

  test('tcpSocket and exec readiness probes gate Ready, and a failing probe keeps a pod unready', async () => {
    const [port] = await freePorts(1);
    await create(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'probes' },
      spec: {
        serviceAccountName: 'reader',
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: 'main',
            image: TEST_IMAGE,
            args: ['serve', String(port)],
            readinessProbe: { tcpSocket: { port }, periodSeconds: 1 },
          },
          {
            name: 'sidecar',
            image: 'ironlb.test/node',
            command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'],
            env: [{ name: 'MODE', value: 'ok' }],
            // exec probes see the container's env.
            readinessProbe: { exec: { command: ['/bin/sh', '-c', 'test "$MODE" = ok'] }, periodSeconds: 1 },
          },
        ],
      },
    });
    const ready = await waitForPod('to be ready', 'probes', isReady);
    expect(ready.status?.containerStatuses?.map((c) => [c.name, c.ready])).toEqual([
      ['main', true],
      ['sidecar', true],
    ]);

    // Two containers probed on the same schedule: once the passing one is ready, the failing one has been probed
    // as often and must still be unready, and so must the pod.
    const idle = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    await create(`/api/v1/namespaces/${NS}/pods`, {
      metadata: { name: 'never-ready' },
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [
          {
            name: 'good',
            image: 'ironlb.test/node',
            command: idle,
            readinessProbe: { exec: { command: ['/bin/true'] }, periodSeconds: 1 },
          },
          {
            name: 'bad',
            image: 'ironlb.test/node',
            command: idle,
            readinessProbe: { exec: { command: ['/bin/false'] }, periodSeconds: 1 },
          },
        ],
      },
    });
    const half = await waitForPod(
      'to have its passing container ready',
      'never-ready',
      (p) => p.status?.containerStatuses?.some((c) => c.name === 'good' && c.ready) === true,
    );
    expect(half.status?.phase).toBe('Running');
    expect(
      half.status?.containerStatuses?.map((c) => [c.name, c.ready, c.state.running !== undefined]),
    ).toEqual([
      ['good', true, true],
      ['bad', false, true],
    ]);
    expect(half.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    for (const name of ['probes', 'never-ready']) {
      await api().request({ method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/${name}` });
    }
    for (const name of ['probes', 'never-ready']) {
      await waitFor(`pod ${name} to be gone`, async () => (await getPod(name)) === undefined, {
        timeoutMs: 30_000,
      });
    }
  });

  describe('kubectl logs through the kubelet endpoint', () => {
    function kubectlEnv(): Record<string, string> {
      return { PATH: '/usr/bin:/bin', HOME: path.join(need(cp).runDir, 'kubectl-home') };
    }

    async function kubectl(args: string[]): Promise<string> {
      const r = await execFileP(kubectlBinary(), ['--kubeconfig', need(cp).kubeconfigPath, ...args], {
        env: kubectlEnv(),
        maxBuffer: 16 << 20,
      });
      return r.stdout;
    }

    function printer(
      name: string,
      lines: number,
      intervalMs: number,
      thenIdle: boolean,
    ): Record<string, unknown> {
      const script =
        `let i = 0; const t = setInterval(() => { i++; console.log('line ' + i + ' of ${name}'); ` +
        `if (i === ${lines}) { clearInterval(t); ${thenIdle ? "console.error('done on stderr'); setInterval(() => {}, 1000);" : ''} } }, ${intervalMs});`;
      return {
        metadata: { name },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          containers: [
            { name: 'main', image: 'ironlb.test/node', command: [process.execPath, '-e', script] },
          ],
        },
      };
    }

    test("`kubectl logs` returns the process's stdout and stderr, and --tail the last lines", async () => {
      await create(`/api/v1/namespaces/${NS}/pods`, printer('logger', 3, 10, true));
      await waitFor(
        'logger to print everything',
        async () => outputLines('logger').includes('done on stderr'),
        { timeoutMs: 30_000 },
      );
      expect(await kubectl(['logs', '-n', NS, 'logger'])).toBe(
        'line 1 of logger\nline 2 of logger\nline 3 of logger\ndone on stderr\n',
      );
      expect(await kubectl(['logs', '-n', NS, 'logger', '--tail=2'])).toBe(
        'line 3 of logger\ndone on stderr\n',
      );
      expect(await kubectl(['logs', '-n', NS, 'logger', '-c', 'main', '--limit-bytes=6'])).toBe('line 1');
      // Per-line times are not kept, so --timestamps is refused instead of answered wrongly.
      await expect(kubectl(['logs', '-n', NS, 'logger', '--timestamps'])).rejects.toThrow(/timestamps/);
    });

    test('`kubectl logs -f` streams while the container runs and ends when it exits', async () => {
      await create(`/api/v1/namespaces/${NS}/pods`, printer('counter', 12, 300, false));
      await waitForPod('to run', 'counter', (p) => p.status?.phase === 'Running');
      const child = spawn(
        kubectlBinary(),
        ['--kubeconfig', need(cp).kubeconfigPath, 'logs', '-f', '-n', NS, 'counter'],
        {
          env: kubectlEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      let sawPartial = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Output arrives while the pod still prints: a follow, not one read at the end.
        if (!out.includes('line 12 of counter') && out.includes('line 1 of counter')) sawPartial = true;
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out.trim().split('\n')).toEqual(
        Array.from({ length: 12 }, (_, i) => `line ${i + 1} of counter`),
      );
      expect(sawPartial).toBe(true);
    });

    test('the Node advertises the endpoint the kubelet serves: its port, and 127.0.0.1 as ExternalIP', async () => {
      // (The apiserver's node proxy refuses loopback targets, so /healthz through it is checked in world
      // placement, e2e/cluster-tests/nodefailure.e2e.test.ts; `kubectl logs` above went through this address.)
      const nodeObj = z
        .looseObject({
          status: z.looseObject({
            addresses: z.array(z.looseObject({ type: z.string(), address: z.string() })),
            daemonEndpoints: z.looseObject({ kubeletEndpoint: z.looseObject({ Port: z.number() }) }),
          }),
        })
        .parse(await api().request({ method: 'GET', path: `/api/v1/nodes/${NODE.name}` }));
      expect(nodeObj.status.daemonEndpoints.kubeletEndpoint.Port).toBe(NODE.kubeletPort);
      expect(nodeObj.status.addresses).toContainEqual({ type: 'ExternalIP', address: '127.0.0.1' });
      expect(theKubelet().port).toBe(NODE.kubeletPort);
    });

    test('the endpoint lets in only cluster-CA clients it trusts', async () => {
      const c = need(cp);
      const get = (tls: { cert?: string; key?: string }): Promise<number | string> =>
        new Promise((resolve) => {
          const req = https.get(
            {
              host: '127.0.0.1',
              port: NODE.kubeletPort,
              path: '/healthz',
              ca: c.caPem,
              ...tls,
              agent: false,
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        });
      const asUser = async (user: string, groups: string[]): Promise<{ cert: string; key: string }> => {
        const creds = await c.issueCredentials(user, groups);
        if (creds.certPem === undefined || creds.keyPem === undefined)
          throw new Error('expected a certificate');
        return { cert: creds.certPem, key: creds.keyPem };
      };
      expect(await get(await asUser('kubernetes-admin', ['system:masters']))).toBe(200);
      // Signed by the cluster CA but not a user the kubelet serves: authenticated, then refused.
      expect(await get(await asUser('system:node:node1', ['system:nodes']))).toBe(403);
      // No client certificate, or one from another CA: the TLS handshake itself fails.
      expect(await get({})).not.toBe(200);
      const other = await Pki.create(path.join(c.runDir, 'other-ca'), 'not-the-cluster-ca');
      const foreign = await other.issueClient('intruder', {
        user: 'kubernetes-admin',
        groups: ['system:masters'],
      });
      expect(
        await get({
          cert: fs.readFileSync(foreign.certPath, 'utf8'),
          key: fs.readFileSync(foreign.keyPath, 'utf8'),
        }),
      ).not.toBe(200);
    });
  });
});
