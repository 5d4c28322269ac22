// Golden files for every bgpBackend, every monitoring mode and every spec field, then the rules the files
// cannot show at a glance: ownership, stale objects, unsupported backends.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetalLBSpec } from '../../api/metallb';
import { renderManifestFile } from '../../render/manifestfile';
import type { Platform } from '../../render/options';
import type { OperatorEnvironment } from '../env';
import { installOptionsFromSpec } from './fromspec';
import { GOLDEN_ENV, GOLDEN_OWNER, goldenText } from './golden';
import { MANAGED_BY, renderForMetalLB, type Operands } from './operands';

const TESTDATA = join(__dirname, '..', 'testdata');
const UPDATE = process.env.IRONLB_UPDATE_GOLDEN === '1';

const toleration = { key: 'example.com/dedicated', operator: 'Equal', value: 'lb', effect: 'NoSchedule' };
const affinity = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
    ],
  },
};

/** Every field of the spec set, each to a value that differs between the controller and the speaker. */
const EVERY_FIELD: MetalLBSpec = {
  nodeSelector: { 'node-role.kubernetes.io/edge': '' },
  speakerTolerations: [toleration],
  controllerNodeSelector: { 'node-role.kubernetes.io/infra': '' },
  controllerTolerations: [
    { key: 'example.com/infra', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
  ],
  logLevel: 'debug',
  loadBalancerClass: 'example.com/internal',
  controllerConfig: {
    priorityClassName: 'system-cluster-critical',
    runtimeClassName: 'runc',
    annotations: { team: 'network' },
    resources: { limits: { cpu: '100m' }, requests: { cpu: '50m', memory: '64Mi' } },
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } },
        ],
      },
    },
  },
  speakerConfig: {
    priorityClassName: 'system-node-critical',
    runtimeClassName: 'kata',
    annotations: { scrape: 'speaker' },
    resources: { limits: { memory: '200Mi' } },
    affinity,
  },
};

type Settings = Partial<OperatorEnvironment> & { readonly platform?: Platform };

const CASES: readonly [string, MetalLBSpec, Settings][] = [
  ['native-default', {}, {}],
  ['native-every-field', { ...EVERY_FIELD, bgpBackend: 'native' }, {}],
  ['frr-default', { bgpBackend: 'frr' }, {}],
  [
    'frr-every-field',
    { ...EVERY_FIELD, bgpBackend: 'frr' },
    { frrImage: 'registry.example:5000/frr/frr:10.2' },
  ],
  ['native-servicemonitors', {}, { monitoring: 'servicemonitors' }],
  ['frr-servicemonitors', { bgpBackend: 'frr' }, { monitoring: 'servicemonitors' }],
  ['native-podmonitors', {}, { monitoring: 'podmonitors' }],
  ['frr-podmonitors', { bgpBackend: 'frr' }, { monitoring: 'podmonitors' }],
  ['other-namespace', { logLevel: 'warn' }, { namespace: 'lb-operators' }],
  ['frr-k8s-unsupported', { bgpBackend: 'frr-k8s' }, {}],
  ['frr-k8s-external-unsupported', { bgpBackend: 'frr-k8s-external' }, {}],
  ['openshift-native-default', {}, { platform: 'openshift' }],
  ['openshift-native-every-field', { ...EVERY_FIELD, bgpBackend: 'native' }, { platform: 'openshift' }],
  ['openshift-frr-default', { bgpBackend: 'frr' }, { platform: 'openshift' }],
  ['openshift-servicemonitors', {}, { platform: 'openshift', monitoring: 'servicemonitors' }],
  [
    'openshift-frr-servicemonitors',
    { bgpBackend: 'frr' },
    {
      platform: 'openshift',
      monitoring: 'servicemonitors',
      tls: { minVersion: 'VersionTLS13', cipherSuites: undefined, curvePreferences: undefined },
    },
  ],
  [
    'native-tls-settings',
    {},
    {
      tls: {
        minVersion: 'VersionTLS13',
        cipherSuites: 'TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384',
        curvePreferences: '29,23',
      },
    },
  ],
];

describe('golden files (operator/testdata)', () => {
  test.each(CASES)('%s', (name, spec, { platform, ...env }) => {
    const file = join(TESTDATA, `${name}.yaml`);
    const text = goldenText(spec, { ...GOLDEN_ENV, ...env }, platform);
    if (UPDATE) writeFileSync(file, text);
    expect(text).toEqual(readFileSync(file, 'utf8'));
  });
});

function operands(spec: MetalLBSpec, env: Partial<OperatorEnvironment> = {}): Operands {
  const result = renderForMetalLB(spec, GOLDEN_OWNER, { ...GOLDEN_ENV, ...env });
  if (result.kind !== 'operands') throw new Error(`unexpected ${JSON.stringify(result)}`);
  return result;
}

const find = (o: Operands, kind: string, name: string) => {
  const found = o.objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} not rendered`);
  return found;
};

describe('renderForMetalLB', () => {
  test('every namespaced object is controlled by the MetalLB resource, with blockOwnerDeletion', () => {
    for (const o of operands({}).objects.filter((x) => x.metadata.namespace !== undefined)) {
      expect(o.metadata).toMatchObject({
        ownerReferences: [
          {
            apiVersion: 'metallb.io/v1beta1',
            kind: 'MetalLB',
            name: 'metallb',
            uid: GOLDEN_OWNER.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      });
    }
  });

  test('cluster-scoped objects carry no owner reference but the managed-by label', () => {
    const vwc = find(operands({}), 'ValidatingWebhookConfiguration', 'metallb-webhook-configuration');
    expect(vwc.metadata).not.toHaveProperty('ownerReferences');
    expect(vwc.metadata.labels).toMatchObject(MANAGED_BY);
  });

  test('renders no Namespace, ServiceAccount or RBAC: those come with the operator install', () => {
    const kinds = new Set(
      operands({ bgpBackend: 'frr' }, { monitoring: 'servicemonitors' }).objects.map((o) => o.kind),
    );
    for (const kind of [
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'Role',
      'ClusterRoleBinding',
      'RoleBinding',
    ])
      expect(kinds).not.toContain(kind);
  });

  test('the operand objects are the native manifest objects, apart from ownership', () => {
    const manifest = renderManifestFile();
    // The plain manifest leaves the NetworkPolicy out (render/options.ts says why), as the operator does with
    // DISABLE_NETWORK_POLICIES=true.
    for (const o of operands(
      {},
      {
        controllerImage: 'quay.io/ironlb/ironlb-controller:dev',
        speakerImage: 'quay.io/ironlb/ironlb-speaker:dev',
        networkPolicies: false,
      },
    ).objects) {
      expect(manifest).toContain(`kind: ${o.kind}\nmetadata:\n  name: ${o.metadata.name}\n`);
    }
  });

  test('DISABLE_NETWORK_POLICIES=true renders no NetworkPolicy and lists the controller policy as stale', () => {
    const off = operands({}, { networkPolicies: false });
    expect(off.objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(off.stale).toContainEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      namespace: 'metallb-system',
      name: 'metallb-controller',
    });
    const on = operands({});
    expect(find(on, 'NetworkPolicy', 'metallb-controller').metadata).toMatchObject({
      ownerReferences: [expect.objectContaining({ kind: 'MetalLB', name: 'metallb' })],
    });
    expect(on.stale.filter((s) => s.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('native lists the FRR ConfigMap as stale, frr does not', () => {
    const staleNames = (o: Operands) => o.stale.map((s) => `${s.kind}/${s.name}`);
    expect(staleNames(operands({}))).toContain('ConfigMap/frr-startup');
    expect(staleNames(operands({ bgpBackend: 'frr' }))).not.toContain('ConfigMap/frr-startup');
  });

  test('monitoring none lists every monitor and its Service as stale, in the operand namespace', () => {
    expect(operands({}, { namespace: 'lb' }).stale.filter((s) => s.kind !== 'ConfigMap')).toEqual(
      expect.arrayContaining([
        { apiVersion: 'v1', kind: 'Service', namespace: 'lb', name: 'controller-monitor-service' },
        {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'ServiceMonitor',
          namespace: 'lb',
          name: 'speaker-monitor',
        },
        { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', namespace: 'lb', name: 'controller' },
      ]),
    );
  });

  test('a stale object is never also rendered', () => {
    const o = operands({ bgpBackend: 'frr' }, { monitoring: 'podmonitors' });
    const rendered = new Set(o.objects.map((x) => `${x.kind}/${x.metadata.name}`));
    expect(o.stale.filter((s) => rendered.has(`${s.kind}/${s.name}`))).toEqual([]);
  });
});

describe('installOptionsFromSpec', () => {
  test.each(['frr-k8s', 'frr-k8s-external'])('%s is unsupported, naming spec.bgpBackend', (backend) => {
    expect(installOptionsFromSpec({ bgpBackend: backend }, GOLDEN_ENV)).toEqual({
      kind: 'unsupported',
      field: 'spec.bgpBackend',
      value: backend,
      reason: 'ironlb does not deploy frr-k8s yet; use native or frr',
    });
  });

  test('an unknown bgpBackend is unsupported with the list of values', () => {
    expect(installOptionsFromSpec({ bgpBackend: 'bird' }, GOLDEN_ENV)).toMatchObject({
      kind: 'unsupported',
      value: 'bird',
      reason: 'must be one of native, frr, frr-k8s, frr-k8s-external',
    });
  });

  test('an empty bgpBackend is native, as ironlb speakers are', () => {
    expect(installOptionsFromSpec({ bgpBackend: '' }, GOLDEN_ENV)).toMatchObject({
      options: { bgpBackend: 'native' },
    });
  });

  test('logLevel defaults to info', () => {
    expect(installOptionsFromSpec({}, GOLDEN_ENV)).toMatchObject({ options: { logLevel: 'info' } });
  });

  test('empty priorityClassName, runtimeClassName and loadBalancerClass render no field, as Helm skips them', () => {
    const result = installOptionsFromSpec(
      { loadBalancerClass: '', controllerConfig: { priorityClassName: '', runtimeClassName: '' } },
      GOLDEN_ENV,
    );
    expect(result).toMatchObject({
      options: {
        loadBalancerClass: undefined,
        controller: { priorityClassName: undefined, runtimeClassName: undefined },
      },
    });
  });

  test('the speaker takes nodeSelector and speakerTolerations, the controller its own', () => {
    const result = installOptionsFromSpec(EVERY_FIELD, GOLDEN_ENV);
    expect(result).toMatchObject({
      options: {
        speaker: {
          nodeSelector: EVERY_FIELD.nodeSelector,
          tolerations: EVERY_FIELD.speakerTolerations,
          affinity,
        },
        controller: {
          nodeSelector: EVERY_FIELD.controllerNodeSelector,
          tolerations: EVERY_FIELD.controllerTolerations,
          priorityClassName: 'system-cluster-critical',
        },
      },
    });
  });
});
