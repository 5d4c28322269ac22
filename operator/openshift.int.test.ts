// OpenShift mode against a real kube-apiserver that serves the SecurityContextConstraints API (its CRD,
// securitycontextconstraints.security.openshift.io, installed here): discovery turns the operator to
// OpenShift, and the operator, acting as manager-account with the RBAC of manifests/ironlb-operator.yaml,
// creates the metallb-speaker SCC and grants the speaker `use` of it (which the API server allows only because
// the operator holds that `use` itself), renders the controller without a UID, asks for the SCC on the
// speaker pods and leaves the webhook certificate to the service CA. The cluster's TLS profile, changed while
// the operator runs, re-renders the operands' --tls-* flags.
import { z } from 'zod';
import { startControlPlane, type ControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { captureLogger } from '../testkit/capturedlogger';
import { create, eventually } from '../testkit/metallbcluster';
import {
  applyOperatorManifest,
  exists as existsAt,
  refusedCalls,
  serviceAccountAccess,
  testOperatorEnvironment,
} from '../testkit/operatorinstall';
import { createCA, createServingCert } from '../kube/tls/certs';
import { handshake } from '../testkit/tlshandshake';
import { startOperator, type RunningOperator } from './app/operator';
import { detectPlatform } from './app/platform';
import { tlsOptionsFromApiServer } from './app/tlsprofile';

jest.setTimeout(240_000);

const NS = 'metallb-system';
let cp: ControlPlane | undefined;
let api: HarnessRestClient | undefined;
let operator: RunningOperator | undefined;
const captured = captureLogger('debug');
let platformBeforeCrd: string | undefined;

function client(): HarnessRestClient {
  if (!api) throw new Error('control plane did not start (see beforeAll)');
  return api;
}

const SCC_PATH = '/apis/security.openshift.io/v1/securitycontextconstraints';
const sccPath = `${SCC_PATH}/metallb-speaker`;
const rolePath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles/metallb-speaker-scc`;
const bindingPath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings/metallb-speaker-scc`;
const deploymentPath = `/apis/apps/v1/namespaces/${NS}/deployments/controller`;
const daemonSetPath = `/apis/apps/v1/namespaces/${NS}/daemonsets/speaker`;
const servicePath = `/api/v1/namespaces/${NS}/services/metallb-webhook-service`;
const secretPath = `/api/v1/namespaces/${NS}/secrets/metallb-webhook-cert`;

/** A cluster-scoped OpenShift API as a schemaless CRD: what discovery and apply need of it. */
function openshiftCrd(group: string, kind: string, plural: string, singular: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Cluster',
      names: { plural, singular, kind, listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

const SCC_CRD = openshiftCrd(
  'security.openshift.io',
  'SecurityContextConstraints',
  'securitycontextconstraints',
  'securitycontextconstraints',
);
// The cluster's TLS security profile lives on the APIServer `cluster`.
const APISERVER_CRD = openshiftCrd('config.openshift.io', 'APIServer', 'apiservers', 'apiserver');

const exists = (path: string): Promise<boolean> => existsAt(client(), path);

/** Whether the API server's authorizer lets `user` do `verb` on the SCC named `name` (SubjectAccessReview). */
async function mayUseScc(user: string, name: string): Promise<boolean> {
  const review = z.looseObject({ status: z.looseObject({ allowed: z.boolean() }) }).parse(
    await client().request({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
          resourceAttributes: {
            group: 'security.openshift.io',
            resource: 'securitycontextconstraints',
            name,
            verb: 'use',
            namespace: NS,
          },
        },
      },
    }),
  );
  return review.status.allowed;
}

beforeAll(async () => {
  cp = await startControlPlane({ scheduler: false });
  api = cp.adminClient();
  platformBeforeCrd = await detectPlatform(api);
  // The operator runs in this process, as its ServiceAccount; its Deployment would need a kubelet.
  await applyOperatorManifest(api, 'ironlb-operator-openshift.yaml', NS);
  await create(api, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', SCC_CRD);
  await create(api, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', APISERVER_CRD);
  const admin = api;
  await eventually('the SCC API served', async () => (await detectPlatform(admin)) === 'openshift');
  await eventually('the APIServer config served', async () => {
    try {
      await create(admin, '/apis/config.openshift.io/v1/apiservers', {
        apiVersion: 'config.openshift.io/v1',
        kind: 'APIServer',
        metadata: { name: 'cluster' },
        spec: { tlsSecurityProfile: { type: 'Intermediate', intermediate: {} } },
      });
      return true;
    } catch {
      return false;
    }
  });
  // No platform given: the operator asks discovery, as main.ts has it do.
  operator = await startOperator({
    kubeConfig: await serviceAccountAccess(cp, api, NS, 'manager-account'),
    env: testOperatorEnvironment(NS),
    logger: captured.logger,
    identity: 'operator-on-openshift',
    leaderElection: false,
    // Its own MetalLB webhook, on loopback: it follows the cluster's profile too.
    listenHost: '127.0.0.1',
    webhook: {
      port: 0,
      cert: createServingCert(createCA(), { dnsNames: ['localhost'], validityMs: 3_600_000 }),
    },
  });
  await create(api, `/apis/metallb.io/v1beta1/namespaces/${NS}/metallbs`, {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'MetalLB',
    metadata: { name: 'metallb', namespace: NS },
    spec: {},
  });
  await eventually('the speaker DaemonSet applied', () => exists(daemonSetPath), 60_000);
});

afterAll(async () => {
  await operator?.stop();
  api?.close();
  await cp?.stop();
});

const Labels = z.record(z.string(), z.string()).optional();

// What tlsprofile.ts makes of the two profiles (its mapping is pinned by tlsprofile.test.ts); this test is
// about the settings reaching the workloads, live.
const suitesOf = (type: string): string =>
  tlsOptionsFromApiServer(
    { metadata: { name: 'cluster' }, spec: { tlsSecurityProfile: { type } } },
    undefined,
  ).cipherSuites ?? '';
const MODERN_SUITES = suitesOf('Modern');
const INTERMEDIATE_SUITES = suitesOf('Intermediate');

const WorkloadArgs = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({ containers: z.array(z.looseObject({ args: z.array(z.string()) })) }),
    }),
  }),
});

/** A merge patch of the APIServer `cluster`, as an administrator would `oc patch` it. */
async function patchClusterApiServer(patch: unknown): Promise<void> {
  await client().request({
    method: 'PATCH',
    path: '/apis/config.openshift.io/v1/apiservers/cluster',
    contentType: 'application/merge-patch+json',
    body: patch,
  });
}

/** The first container's args of the Deployment or DaemonSet at `path`. */
async function containerArgs(path: string): Promise<string[]> {
  const workload = WorkloadArgs.parse(await client().request({ method: 'GET', path }));
  return workload.spec.template.spec.containers[0]?.args ?? [];
}

describe('OpenShift mode', () => {
  test('discovery decides: kubernetes without the SCC API, openshift with it', () => {
    expect(platformBeforeCrd).toBe('kubernetes');
    expect(operator?.platform).toBe('openshift');
  });

  test('the operator creates the metallb-speaker SCC: host network and NET_RAW, nothing privileged', async () => {
    const scc = z
      .looseObject({
        metadata: z.looseObject({ labels: Labels }),
        allowHostNetwork: z.boolean(),
        allowPrivilegedContainer: z.boolean(),
        allowPrivilegeEscalation: z.boolean(),
        allowHostDirVolumePlugin: z.boolean(),
        allowedCapabilities: z.array(z.string()),
        requiredDropCapabilities: z.array(z.string()),
        volumes: z.array(z.string()),
      })
      .parse(await client().request({ method: 'GET', path: sccPath }));
    expect(scc).toMatchObject({
      allowHostNetwork: true,
      allowPrivilegedContainer: false,
      allowPrivilegeEscalation: false,
      allowHostDirVolumePlugin: false,
      allowedCapabilities: ['NET_RAW'],
      requiredDropCapabilities: ['ALL'],
    });
    expect(scc.volumes).not.toContain('hostPath');
    expect(scc.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('ironlb-operator');
  });

  test('the speaker, and only it, may use that SCC and no other (the RBAC the operator wrote)', async () => {
    expect(await exists(rolePath)).toBe(true);
    expect(await exists(bindingPath)).toBe(true);
    const speaker = `system:serviceaccount:${NS}:speaker`;
    expect(await mayUseScc(speaker, 'metallb-speaker')).toBe(true);
    expect(await mayUseScc(speaker, 'privileged')).toBe(false);
    expect(await mayUseScc(`system:serviceaccount:${NS}:controller`, 'metallb-speaker')).toBe(false);
  });

  test('the controller keeps runAsNonRoot without a UID or fsGroup and reads the service-CA certificate', async () => {
    const dep = z
      .looseObject({
        spec: z.looseObject({
          template: z.looseObject({
            spec: z.looseObject({
              securityContext: z.record(z.string(), z.unknown()),
              containers: z.array(z.looseObject({ args: z.array(z.string()) })),
            }),
          }),
        }),
      })
      .parse(await client().request({ method: 'GET', path: deploymentPath }));
    expect(dep.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true });
    expect(dep.spec.template.spec.containers[0]?.args).toContain('--disable-cert-rotation=true');
  });

  test("the cluster's TLS profile reaches the operands and the operator's webhook live: Intermediate, then Modern", async () => {
    const webhookPort = operator?.webhookPort ?? 0;
    expect(await handshake(webhookPort, { maxVersion: 'TLSv1.2' })).toMatchObject({ protocol: 'TLSv1.2' });
    const intermediate = `--tls-cipher-suites=${INTERMEDIATE_SUITES}`;
    for (const path of [deploymentPath, daemonSetPath]) {
      const args = await containerArgs(path);
      expect(args).toContain('--tls-min-version=VersionTLS12');
      expect(args).toContain(intermediate);
    }
    await patchClusterApiServer({
      spec: { tlsSecurityProfile: { type: 'Modern', modern: {}, intermediate: null } },
    });
    const modern = `--tls-cipher-suites=${MODERN_SUITES}`;
    for (const path of [deploymentPath, daemonSetPath])
      await eventually(`${path} rendered with the Modern profile`, async () => {
        const args = await containerArgs(path);
        return args.includes('--tls-min-version=VersionTLS13') && args.includes(modern);
      });
    for (const path of [deploymentPath, daemonSetPath])
      expect(await containerArgs(path)).not.toContain('--tls-min-version=VersionTLS12');
    // The same operator process, no restart: its webhook now refuses TLS 1.2 as well.
    expect(await handshake(webhookPort, { maxVersion: 'TLSv1.2' })).toEqual({
      refused: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect(await handshake(webhookPort, {})).toMatchObject({ protocol: 'TLSv1.3' });
  });

  test('the speaker pods ask for metallb-speaker', async () => {
    const ds = z
      .looseObject({
        spec: z.looseObject({
          template: z.looseObject({ metadata: z.looseObject({ annotations: Labels }) }),
        }),
      })
      .parse(await client().request({ method: 'GET', path: daemonSetPath }));
    expect(ds.spec.template.metadata.annotations?.['openshift.io/required-scc']).toBe('metallb-speaker');
  });

  test('the webhook Service asks the service CA for its certificate; the operator writes no Secret for it', async () => {
    const svc = z
      .looseObject({ metadata: z.looseObject({ annotations: Labels }) })
      .parse(await client().request({ method: 'GET', path: servicePath }));
    expect(svc.metadata.annotations?.['service.beta.openshift.io/serving-cert-secret-name']).toBe(
      'metallb-webhook-cert',
    );
    expect(await exists(secretPath)).toBe(false);
  });

  test('the BGPPeer CRD asks the service CA for its conversion caBundle; the operator does not own it', async () => {
    const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/bgppeers.metallb.io';
    const Crd = z.looseObject({
      metadata: z.looseObject({
        annotations: Labels,
        ownerReferences: z.array(z.unknown()).optional(),
      }),
    });
    await eventually('the BGPPeer CRD annotated', async () => {
      const crd = Crd.parse(await client().request({ method: 'GET', path: crdPath }));
      return crd.metadata.annotations?.['service.beta.openshift.io/inject-cabundle'] === 'true';
    });
    const crd = Crd.parse(await client().request({ method: 'GET', path: crdPath }));
    expect(crd.metadata.ownerReferences ?? []).toEqual([]);
  });

  test('the adherence policy: TLS_CIPHER_SUITES stands under the default policy, the profile wins under StrictAllComponents', async () => {
    // A second operator process, set up as a Subscription's spec.config.env would set it.
    const suite = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256';
    await operator?.stop();
    if (!cp) throw new Error('control plane did not start (see beforeAll)');
    operator = await startOperator({
      kubeConfig: await serviceAccountAccess(cp, client(), NS, 'manager-account'),
      env: {
        ...testOperatorEnvironment(NS),
        tls: { minVersion: undefined, cipherSuites: suite, curvePreferences: undefined },
      },
      logger: captured.logger,
      identity: 'operator-on-openshift-with-tls-env',
      leaderElection: false,
    });
    for (const path of [deploymentPath, daemonSetPath])
      await eventually(`${path} rendered with TLS_CIPHER_SUITES`, async () => {
        const args = await containerArgs(path);
        return (
          args.includes(`--tls-cipher-suites=${suite}`) && args.includes('--tls-min-version=VersionTLS13')
        );
      });
    await patchClusterApiServer({ spec: { tlsAdherence: 'StrictAllComponents' } });
    for (const path of [deploymentPath, daemonSetPath])
      await eventually(`${path} rendered with the profile's suites`, async () =>
        (await containerArgs(path)).includes(`--tls-cipher-suites=${MODERN_SUITES}`),
      );
  });

  test('no call of the operator was refused', () => {
    const refused = refusedCalls(captured);
    expect(refused).toEqual([]);
  });
});
