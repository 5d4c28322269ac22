// Each install option changes exactly the fields it should: every case lists the fields that differ from the
// default render, object by object, with their new values; any other difference fails.
import { isDeepStrictEqual } from 'node:util';
import { renderInstall } from './install';
import { DEFAULT_INSTALL_OPTIONS, type InstallOptionsInput, resolveInstallOptions } from './options';
import type { RenderedObject } from './object';

type Changes = Record<string, Record<string, unknown>>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isObjectList = (v: unknown): v is unknown[] => Array.isArray(v) && v.some((x) => typeof x === 'object');

/** Where `after` differs from `before`; a list of scalars (args, verbs) counts as one value. */
function changedPaths(before: unknown, after: unknown, at: readonly string[]): (readonly string[])[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => changedPaths(before[k], after[k], [...at, k]));
  }
  if (isObjectList(before) && isObjectList(after) && before.length === after.length)
    return before.flatMap((b, i) => changedPaths(b, after[i], [...at, String(i)]));
  return isDeepStrictEqual(before, after) ? [] : [at];
}

function valueAt(obj: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (isRecord(v) ? v[k] : Array.isArray(v) ? (v as unknown[])[Number(k)] : undefined),
    obj,
  );
}

const label = (o: RenderedObject) => `${o.kind}/${o.metadata.name}`;
const defaults = renderInstall();

/** Each object as the n-th of its kind: a renamed object (the Namespace) is still the same object. */
function byKindOccurrence(objects: readonly RenderedObject[]): Map<string, RenderedObject> {
  const seen = new Map<string, number>();
  return new Map(
    objects.map((o) => {
      const n = seen.get(o.kind) ?? 0;
      seen.set(o.kind, n + 1);
      return [`${o.kind}#${n}`, o];
    }),
  );
}

/** Objects only in the changed render are listed as `{ added: kind }`, objects only in the default as `{ removed: kind }`. */
function changesFrom(input: InstallOptionsInput): Changes {
  const before = byKindOccurrence(defaults);
  const after = byKindOccurrence(renderInstall(input));
  const out: Changes = {};
  for (const [key, obj] of before) if (!after.has(key)) out[label(obj)] = { removed: obj.kind };
  for (const [key, obj] of after) {
    const old = before.get(key);
    if (old === undefined) {
      out[label(obj)] = { added: obj.kind };
      continue;
    }
    const paths = changedPaths(old, obj, []);
    // Joined with dots for reading only (label keys hold dots too); the value is looked up by the path itself.
    if (paths.length > 0)
      out[label(old)] = Object.fromEntries(paths.map((p) => [p.join('.'), valueAt(obj, p)]));
  }
  return out;
}

const POD = 'spec.template.spec';
const CONTAINER = `${POD}.containers.0`;
const argsWith = (...replace: [number, number, ...string[]]) => {
  const args = [
    '--port=7472',
    '--log-level=info',
    '--webhook-mode=enabled',
    '--tls-min-version=VersionTLS12',
  ];
  args.splice(...replace);
  return args;
};

const toleration = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };
const affinity = {
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } },
    ],
  },
};
const CONTROL_PLANE_TOLERATIONS = ['master', 'control-plane'].map((role) => ({
  key: `node-role.kubernetes.io/${role}`,
  effect: 'NoSchedule',
  operator: 'Exists',
}));
const resources = { limits: { cpu: '100m' }, requests: { cpu: '50m', memory: '64Mi' } };

const CONTROLLER_ENV = [
  { name: 'METALLB_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  { name: 'METALLB_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'METALLB_ML_SECRET_NAME', value: 'metallb-memberlist' },
  { name: 'METALLB_DEPLOYMENT', value: 'controller' },
];
const named = (name: string, fields: Record<string, unknown> = {}) =>
  expect.objectContaining({ name, ...fields }) as unknown;

const CASES: [string, InstallOptionsInput, Changes][] = [
  [
    'namespace moves every namespaced object and every reference to the namespace, not the ClusterRole',
    { namespace: 'lb-system' },
    {
      'Namespace/metallb-system': { 'metadata.name': 'lb-system' },
      'ServiceAccount/controller': { 'metadata.namespace': 'lb-system' },
      'Secret/metallb-webhook-cert': { 'metadata.namespace': 'lb-system' },
      'Role/controller': { 'metadata.namespace': 'lb-system' },
      'ClusterRoleBinding/metallb-system:controller': { 'subjects.0.namespace': 'lb-system' },
      'RoleBinding/controller': { 'metadata.namespace': 'lb-system', 'subjects.0.namespace': 'lb-system' },
      'Service/metallb-webhook-service': { 'metadata.namespace': 'lb-system' },
      'Deployment/controller': { 'metadata.namespace': 'lb-system' },
      'ServiceAccount/speaker': { 'metadata.namespace': 'lb-system' },
      'Role/pod-lister': { 'metadata.namespace': 'lb-system' },
      'ClusterRoleBinding/metallb-system:speaker': { 'subjects.0.namespace': 'lb-system' },
      'RoleBinding/pod-lister': { 'metadata.namespace': 'lb-system', 'subjects.0.namespace': 'lb-system' },
      'DaemonSet/speaker': { 'metadata.namespace': 'lb-system' },
      'ValidatingWebhookConfiguration/metallb-webhook-configuration': Object.fromEntries(
        [0, 1, 2, 3, 4, 5].map((i) => [`webhooks.${i}.clientConfig.service.namespace`, 'lb-system']),
      ),
    },
  ],
  [
    'logLevel reaches the --log-level arg',
    { logLevel: 'debug' },
    {
      'Deployment/controller': { [`${CONTAINER}.args`]: argsWith(1, 1, '--log-level=debug') },
      'DaemonSet/speaker': { [`${CONTAINER}.args`]: ['--port=7472', '--log-level=debug'] },
    },
  ],
  [
    'loadBalancerClass adds --lb-class after the log level',
    { loadBalancerClass: 'example.com/internal' },
    {
      'Deployment/controller': { [`${CONTAINER}.args`]: argsWith(2, 0, '--lb-class=example.com/internal') },
      'DaemonSet/speaker': {
        [`${CONTAINER}.args`]: ['--port=7472', '--log-level=info', '--lb-class=example.com/internal'],
      },
    },
  ],
  [
    "controllerMetricsPort moves the controller's --port, containerPort and scrape annotation, not the speaker's",
    { controllerMetricsPort: 7473 },
    {
      'Deployment/controller': {
        [`${POD.replace('.spec', '')}.metadata.annotations.prometheus.io/port`]: '7473',
        [`${CONTAINER}.args`]: argsWith(0, 1, '--port=7473'),
        [`${CONTAINER}.ports.0.containerPort`]: 7473,
      },
    },
  ],
  [
    'tls passes the TLS settings to the controller (its minimum replaced) and the speaker',
    {
      tls: {
        minVersion: 'VersionTLS13',
        cipherSuites: 'TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        curvePreferences: '29,23',
      },
    },
    {
      'Deployment/controller': {
        [`${CONTAINER}.args`]: argsWith(
          3,
          1,
          '--tls-min-version=VersionTLS13',
          '--tls-cipher-suites=TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          '--tls-curve-preferences=29,23',
        ),
      },
      'DaemonSet/speaker': {
        [`${CONTAINER}.args`]: [
          '--port=7472',
          '--log-level=info',
          '--tls-min-version=VersionTLS13',
          '--tls-cipher-suites=TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          '--tls-curve-preferences=29,23',
        ],
      },
    },
  ],
  [
    'controllerImage replaces the controller image',
    { controllerImage: 'example.com/ironlb-controller:v9' },
    { 'Deployment/controller': { [`${CONTAINER}.image`]: 'example.com/ironlb-controller:v9' } },
  ],
  [
    'speakerImage replaces the speaker image',
    { speakerImage: 'example.com/ironlb-speaker:v9' },
    { 'DaemonSet/speaker': { [`${CONTAINER}.image`]: 'example.com/ironlb-speaker:v9' } },
  ],
  [
    'speaker pod options land on the DaemonSet only, tolerations after the control-plane ones',
    {
      speaker: {
        nodeSelector: { edge: 'true' },
        tolerations: [toleration],
        priorityClassName: 'system-node-critical',
        runtimeClassName: 'runc',
        annotations: { team: 'network' },
        resources,
        affinity,
      },
    },
    {
      'DaemonSet/speaker': {
        [`${POD}.nodeSelector.edge`]: 'true',
        [`${POD}.tolerations`]: [...CONTROL_PLANE_TOLERATIONS, toleration],
        [`${POD}.priorityClassName`]: 'system-node-critical',
        [`${POD}.runtimeClassName`]: 'runc',
        'spec.template.metadata.annotations.team': 'network',
        [`${CONTAINER}.resources`]: resources,
        [`${POD}.affinity`]: affinity,
      },
    },
  ],
  [
    'nodeSelector adds to kubernetes.io/os: linux',
    { controller: { nodeSelector: { 'node-role.kubernetes.io/infra': '' } } },
    { 'Deployment/controller': { [`${POD}.nodeSelector.node-role.kubernetes.io/infra`]: '' } },
  ],
  [
    'tolerations reach the pod spec',
    { controller: { tolerations: [toleration] } },
    { 'Deployment/controller': { [`${POD}.tolerations`]: [toleration] } },
  ],
  [
    'priorityClassName reaches the pod spec',
    { controller: { priorityClassName: 'system-cluster-critical' } },
    { 'Deployment/controller': { [`${POD}.priorityClassName`]: 'system-cluster-critical' } },
  ],
  [
    'runtimeClassName reaches the pod spec',
    { controller: { runtimeClassName: 'gvisor' } },
    { 'Deployment/controller': { [`${POD}.runtimeClassName`]: 'gvisor' } },
  ],
  [
    'annotations are added to the pod template, beside the Prometheus ones',
    { controller: { annotations: { team: 'network' } } },
    { 'Deployment/controller': { 'spec.template.metadata.annotations.team': 'network' } },
  ],
  [
    'resources reach the controller container',
    { controller: { resources } },
    { 'Deployment/controller': { [`${CONTAINER}.resources`]: resources } },
  ],
  [
    'affinity reaches the pod spec',
    { controller: { affinity } },
    { 'Deployment/controller': { [`${POD}.affinity`]: affinity } },
  ],
  [
    'bgpBackend frr adds the FRR startup files, the sidecars with frrImage, and METALLB_BGP_TYPE=frr',
    { bgpBackend: 'frr', frrImage: 'example.com/frr:10' },
    {
      'ConfigMap/frr-startup': { added: 'ConfigMap' },
      'Deployment/controller': {
        [`${CONTAINER}.env`]: [...CONTROLLER_ENV, { name: 'METALLB_BGP_TYPE', value: 'frr' }],
      },
      'DaemonSet/speaker': {
        'spec.template.metadata.annotations.prometheus.io/port': undefined,
        [`${POD}.shareProcessNamespace`]: true,
        [`${POD}.initContainers`]: [
          named('cp-frr-files', { image: 'example.com/frr:10' }),
          named('cp-reloader', { image: 'quay.io/ironlb/ironlb-speaker:dev' }),
          named('cp-metrics', { image: 'quay.io/ironlb/ironlb-speaker:dev' }),
        ],
        [`${POD}.containers`]: [
          named('speaker', {
            env: expect.arrayContaining([{ name: 'METALLB_BGP_TYPE', value: 'frr' }]) as unknown,
            volumeMounts: expect.arrayContaining([
              { name: 'reloader', mountPath: '/etc/frr_reloader' },
            ]) as unknown,
          }),
          named('frr', { image: 'example.com/frr:10' }),
          named('reloader', { image: 'example.com/frr:10' }),
          named('frr-metrics', { image: 'example.com/frr:10' }),
        ],
        [`${POD}.volumes`]: [
          named('memberlist'),
          named('frr-sockets'),
          named('frr-startup', { configMap: { name: 'frr-startup' } }),
          named('frr-conf'),
          named('reloader'),
          named('metrics'),
        ],
      },
    },
  ],
  [
    'monitoring servicemonitors adds a headless Service and a ServiceMonitor per component',
    { monitoring: 'servicemonitors' },
    {
      'Service/controller-monitor-service': { added: 'Service' },
      'ServiceMonitor/controller-monitor': { added: 'ServiceMonitor' },
      'Service/speaker-monitor-service': { added: 'Service' },
      'ServiceMonitor/speaker-monitor': { added: 'ServiceMonitor' },
    },
  ],
  [
    'monitoring podmonitors adds a PodMonitor per component',
    { monitoring: 'podmonitors' },
    { 'PodMonitor/controller': { added: 'PodMonitor' }, 'PodMonitor/speaker': { added: 'PodMonitor' } },
  ],
  [
    'networkPolicies adds the controller NetworkPolicy: metrics and webhook in, the API server out',
    { networkPolicies: true },
    { 'NetworkPolicy/metallb-controller': { added: 'NetworkPolicy' } },
  ],
  [
    'platform openshift: the SCC and its grant, no UID for the controller, service-CA certificates',
    { platform: 'openshift' },
    {
      // The service CA creates the certificate Secret; the controller only reads it.
      'Secret/metallb-webhook-cert': { removed: 'Secret' },
      'SecurityContextConstraints/metallb-speaker': { added: 'SecurityContextConstraints' },
      'Role/metallb-speaker-scc': { added: 'Role' },
      'RoleBinding/metallb-speaker-scc': { added: 'RoleBinding' },
      'Service/metallb-webhook-service': {
        'metadata.annotations': {
          'service.beta.openshift.io/serving-cert-secret-name': 'metallb-webhook-cert',
        },
      },
      'Deployment/controller': {
        [`${POD}.securityContext.runAsUser`]: undefined,
        [`${POD}.securityContext.fsGroup`]: undefined,
        [`${CONTAINER}.args`]: [...argsWith(0, 0), '--disable-cert-rotation=true'],
      },
      'DaemonSet/speaker': {
        [`spec.template.metadata.annotations.openshift.io/required-scc`]: 'metallb-speaker',
      },
      'ValidatingWebhookConfiguration/metallb-webhook-configuration': {
        'metadata.annotations': { 'service.beta.openshift.io/inject-cabundle': 'true' },
      },
    },
  ],
];

describe('install options', () => {
  test.each(CASES)('%s', (_, input, expected) => {
    expect(changesFrom(input)).toEqual(expected);
  });

  test('the cases cover every option', () => {
    const covered = new Set(
      CASES.flatMap(([, input]) => [
        ...Object.keys(input),
        ...Object.keys(input.controller ?? {}).map((k) => `controller.${k}`),
        ...Object.keys(input.speaker ?? {}).map((k) => `speaker.${k}`),
      ]),
    );
    const all = [
      ...Object.keys(DEFAULT_INSTALL_OPTIONS),
      ...Object.keys(DEFAULT_INSTALL_OPTIONS.controller).map((k) => `controller.${k}`),
      ...Object.keys(DEFAULT_INSTALL_OPTIONS.speaker).map((k) => `speaker.${k}`),
    ];
    expect(all.filter((k) => k !== 'controller' && k !== 'speaker' && !covered.has(k))).toEqual([]);
  });

  test('a field given as undefined keeps its default, as an absent MetalLB field does', () => {
    expect(resolveInstallOptions({ logLevel: undefined, controller: { tolerations: undefined } })).toEqual(
      DEFAULT_INSTALL_OPTIONS,
    );
  });

  test('a nodeSelector or annotation of the same key wins over the fixed one', () => {
    expect(
      changesFrom({
        controller: {
          nodeSelector: { 'kubernetes.io/os': 'windows' },
          annotations: { 'prometheus.io/scrape': 'false' },
        },
      }),
    ).toEqual({
      'Deployment/controller': {
        [`${POD}.nodeSelector.kubernetes.io/os`]: 'windows',
        'spec.template.metadata.annotations.prometheus.io/scrape': 'false',
      },
    });
  });
});
