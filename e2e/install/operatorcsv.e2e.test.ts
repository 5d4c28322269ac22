// The operator installed from its bundle, end to end in world mode. OLM cannot run here (its modules are not
// served by the Go module proxy), so e2e/install/olm.ts stands in for it: from bundle/manifests it creates
// the CRDs, the CSV's ServiceAccounts, permissions and clusterPermissions, its install-strategy Deployment (with
// a Subscription nodeSelector) and the webhookdefinitions' certificate, Service and configuration. The process
// kubelet runs the operator as manager-account with exactly that RBAC; the operator turns the MetalLB resource
// into controller and speaker pods, which assign and announce a LoadBalancer address; a logLevel change rolls
// both workloads, a speaker nodeSelector change only the speakers; a wrong name goes Degraded; the operator's
// own webhook refuses an invalid MetalLB; deleting the MetalLB removes the workloads.
//
// Harness limitation: every pod shares its node's network namespace, so the pods are placed apart by node
// selectors (operator on the first node, controller on the second, speakers on the third): the controller
// and the speaker both serve metrics on 7472, and the operator and the controller both serve webhooks on 9443.
// Needs root (network namespaces); fails, never skips, without it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isNotFound, statusCodeOf } from '../../kube/errors';
import { CONTENT_TYPE } from '../../kube/rest';
import { readService } from '../../testkit/servicereader';
import { backendObjects, DEMO_NAMESPACE, DEMO_SERVICE, l2Objects } from '../demo/objects';
import { waitFor } from '../harness/readiness';
import {
  applyWhenAdmitted,
  isReady,
  listPods,
  nodeOfMac,
  startCluster,
  waitForSpeakersReady,
  type ControllerPod,
  type InstalledCluster,
} from './cluster';
import { answeringMacs } from './layer2kit';
import { installOperatorFromCsv, metallbConditions, waitForMetalLBCondition } from './fromcsv';
import { applyManifest, METALLB_NAMESPACE as NS } from './manifest';

jest.setTimeout(240_000);

const HOSTNAME = 'kubernetes.io/hostname';
const METALLBS = `/apis/metallb.io/v1beta1/namespaces/${NS}/metallbs`;
const CONTROLLER = `/apis/apps/v1/namespaces/${NS}/deployments/controller`;
const SPEAKER = `/apis/apps/v1/namespaces/${NS}/daemonsets/speaker`;

let cluster: InstalledCluster | undefined;
/** The operator's, the controller's and the speakers' node. */
let nodes = { operator: '', controller: '', speaker: '' };

const say = (line: string): void => {
  process.stderr.write(`[operatorcsv.e2e] ${line}\n`);
};

function c(): InstalledCluster {
  if (cluster === undefined) throw new Error('cluster did not start (see beforeAll failure)');
  return cluster;
}

const conditionsOf = (name: string) => metallbConditions(c().admin, name);
const waitForCondition = (name: string, type: string, status: string, timeoutMs?: number) =>
  waitForMetalLBCondition(c().admin, name, type, status, timeoutMs);

/** Waits for one Ready pod of the selector on `node` and no pod elsewhere; returns it. */
async function waitForPodOn(selector: string, node: string, what: string): Promise<ControllerPod> {
  let ready: ControllerPod | undefined;
  let last = '';
  await waitFor(
    `${what} Ready on ${node} only`,
    async () => {
      const pods = await listPods(c().admin, selector);
      last = JSON.stringify(
        pods.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, phase: p.status?.phase })),
      );
      ready = pods.find((p) => isReady(p) && p.spec.nodeName === node);
      return ready !== undefined && pods.length === 1;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast seen: ${last}`);
  });
  if (ready === undefined) throw new Error(`${what} vanished`);
  return ready;
}

const Workload = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({ containers: z.array(z.looseObject({ args: z.array(z.string()).optional() })) }),
    }),
  }),
});
async function argsOf(path: string): Promise<string[]> {
  return (
    Workload.parse(await c().admin.request({ method: 'GET', path })).spec.template.spec.containers[0]?.args ??
    []
  );
}

async function patchMetalLB(spec: Record<string, unknown>): Promise<void> {
  await c().admin.request({
    method: 'PATCH',
    path: `${METALLBS}/metallb`,
    contentType: CONTENT_TYPE.mergePatch,
    body: { spec },
  });
}

/** Creates a MetalLB once the operator's webhook answers; returns the API's refusal, or 'created'. */
async function createMetalLB(name: string, spec: Record<string, unknown>): Promise<string> {
  let outcome = '';
  await waitFor(
    `MetalLB ${name} admitted or refused by the operator's webhook`,
    async () => {
      try {
        await c().admin.request({
          method: 'POST',
          path: METALLBS,
          body: {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'MetalLB',
            metadata: { name, namespace: NS },
            spec,
          },
        });
        outcome = 'created';
        return true;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (statusCodeOf(err) !== undefined && message.includes('denied the request')) {
          outcome = message;
          return true;
        }
        say(`operator webhook not ready: ${message.slice(0, 200)}`);
        return false;
      }
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
  return outcome;
}

beforeAll(async () => {
  const t = Date.now();
  cluster = await startCluster({ nodes: 3, onStep: say });
  const [operator = '', controller = '', speaker = ''] = cluster.world.nodes.map((n) => n.role);
  nodes = { operator, controller, speaker };
  const applied = await installOperatorFromCsv(cluster.admin, { nodeSelector: { [HOSTNAME]: operator } });
  say(`applied as OLM would: ${applied.join(', ')}`);
  await waitForPodOn('control-plane=controller-manager', operator, 'the operator');
  say(`operator Ready ${Date.now() - t}ms after start`);
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('the operator from its CSV', () => {
  test('the operator runs as manager-account, with the RBAC of the CSV only', async () => {
    const [pod] = await listPods(c().admin, 'control-plane=controller-manager');
    expect(pod?.spec.serviceAccountName).toBe('manager-account');
    const review = z.looseObject({ status: z.looseObject({ allowed: z.boolean() }) }).parse(
      await c().admin.request({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: `system:serviceaccount:${NS}:manager-account`,
            resourceAttributes: { verb: 'list', resource: 'secrets', namespace: 'kube-system' },
          },
        },
      }),
    );
    expect(review.status.allowed).toBe(false);
  });

  test('a MetalLB brings up the controller and speakers; a Service gets an address the speaker announces', async () => {
    const t = Date.now();
    expect(
      await createMetalLB('metallb', {
        logLevel: 'info',
        controllerNodeSelector: { [HOSTNAME]: nodes.controller },
        nodeSelector: { [HOSTNAME]: nodes.speaker },
      }),
    ).toBe('created');
    await waitForPodOn('app=metallb,component=controller', nodes.controller, 'the controller');
    await waitForSpeakersReady(c().admin, [nodes.speaker]);
    await waitForCondition('metallb', 'Available', 'True');
    say(`controller and speaker Ready, MetalLB Available ${Date.now() - t}ms after the MetalLB`);
    const conditions = await conditionsOf('metallb');
    expect(conditions.Degraded).toMatch(/^False\//);
    expect(conditions.Progressing).toMatch(/^False\//);
    // The operator's NetworkPolicy for the controller, owned by the MetalLB like every operand.
    const policy = z
      .looseObject({
        metadata: z.looseObject({ ownerReferences: z.array(z.looseObject({ kind: z.string() })) }),
      })
      .parse(
        await c().admin.request({
          method: 'GET',
          path: `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies/metallb-controller`,
        }),
      );
    expect(policy.metadata.ownerReferences.map((o) => o.kind)).toEqual(['MetalLB']);

    const { world, admin } = c();
    await applyWhenAdmitted(admin, l2Objects(world.plan.pools.l2), (m) => say(`webhook not ready: ${m}`));
    await applyManifest(admin, backendObjects(1, { nodeSelector: { [HOSTNAME]: nodes.speaker } }));
    let ips: string[] = [];
    await waitFor(
      `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE} to get an address`,
      async () => {
        ips = (await readService(admin, DEMO_NAMESPACE, DEMO_SERVICE)).ips;
        return ips.some((i) => !i.includes(':'));
      },
      { timeoutMs: 60_000 },
    );
    const ip4 = ips.find((i) => !i.includes(':')) ?? '';
    const macs = await answeringMacs(world, ip4, `ARP answers for ${ip4}`, say, 30_000);
    expect(macs.map((m) => nodeOfMac(world, m))).toEqual([nodes.speaker]);
    say(`Service ${ip4} announced by ${nodes.speaker} ${Date.now() - t}ms after the MetalLB`);
  });

  test('logLevel rolls both workloads; a speaker nodeSelector rolls only the speakers', async () => {
    const t = Date.now();
    const [controllerBefore] = await listPods(c().admin, 'app=metallb,component=controller');
    const [speakerBefore] = await listPods(c().admin, 'app=metallb,component=speaker');
    await patchMetalLB({ logLevel: 'debug' });
    await waitFor(
      'the controller Deployment and speaker DaemonSet to carry --log-level=debug',
      async () =>
        (await argsOf(CONTROLLER)).includes('--log-level=debug') &&
        (await argsOf(SPEAKER)).includes('--log-level=debug'),
      { timeoutMs: 30_000 },
    );
    const controller = await waitForPodOn(
      'app=metallb,component=controller',
      nodes.controller,
      'the new controller',
    );
    const speaker = await waitForPodOn('app=metallb,component=speaker', nodes.speaker, 'the new speaker');
    expect(controller.metadata.uid).not.toBe(controllerBefore?.metadata.uid);
    expect(speaker.metadata.uid).not.toBe(speakerBefore?.metadata.uid);
    await waitForCondition('metallb', 'Available', 'True');
    say(`logLevel rolled both workloads in ${Date.now() - t}ms`);

    // The operator's node has room for a speaker (no port in common); the controller stays where it is.
    await patchMetalLB({ nodeSelector: { [HOSTNAME]: nodes.operator } });
    await waitForPodOn('app=metallb,component=speaker', nodes.operator, 'the speaker');
    const [controllerAfter] = await listPods(c().admin, 'app=metallb,component=controller');
    expect(controllerAfter?.metadata.uid).toBe(controller.metadata.uid);
    await waitForCondition('metallb', 'Available', 'True');
  });

  test('a MetalLB of another name goes Degraded', async () => {
    expect(await createMetalLB('other', {})).toBe('created');
    await waitForCondition('other', 'Degraded', 'True', 30_000);
    expect((await conditionsOf('other')).Degraded).toBe('True/IncorrectMetalLBResourceName');
    expect((await conditionsOf('metallb')).Available).toMatch(/^True\//);
    await c().admin.request({ method: 'DELETE', path: `${METALLBS}/other` });
  });

  test("the operator's webhook, wired as OLM wires the CSV's webhookdefinitions, refuses an invalid MetalLB", async () => {
    const refused = await createMetalLB('invalid', {
      speakerTolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }],
    });
    expect(refused).toContain('metallbvalidationwebhook.metallb.io');
    expect(refused).toContain('denied the request');
  });

  test('deleting the MetalLB removes the controller and the speakers', async () => {
    await c().admin.request({ method: 'DELETE', path: `${METALLBS}/metallb` });
    const gone = async (path: string) =>
      c()
        .admin.request({ method: 'GET', path })
        .then(() => false)
        .catch((err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        });
    await waitFor(
      'the controller Deployment, the speaker DaemonSet and their pods to be gone',
      async () =>
        (await gone(CONTROLLER)) &&
        (await gone(SPEAKER)) &&
        (await listPods(c().admin, 'app=metallb')).length === 0,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  test("the operator's log shows no call its RBAC refused", async () => {
    const [pod] = await listPods(c().admin, 'control-plane=controller-manager');
    const log = c()
      .kubelets.map((k) => k.logOf(NS, pod?.metadata.name ?? '', 'manager'))
      .find((l) => l !== undefined);
    if (log === undefined) throw new Error('no kubelet knows the operator pod');
    const lines = readFileSync(log, 'utf8').split('\n');
    expect(lines.some((l) => l.includes('ironlb operator starting'))).toBe(true);
    expect(
      lines.filter((l) => /(?<![\d.])403(?![\d.])/.test(l) || l.toLowerCase().includes('forbidden')),
    ).toEqual([]);
  });
});
