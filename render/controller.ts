// The controller Deployment (upstream config/manifests/metallb-native.yaml, Deployment `controller`): one
// replica that assigns addresses, serves the webhooks and keeps their certificate. The MetalLB resource's
// controller settings land on its pod template and its `controller` container.
import {
  CONTROLLER,
  CONTROLLER_HEALTH_PORT,
  CONTROLLER_LABELS,
  MEMBERLIST_SECRET,
  WEBHOOK_CERT_SECRET,
  WEBHOOK_PORT,
} from './names';
import { serviceCaMetricsParts } from './openshift';
import type { InstallOptions, PodOptions } from './options';
import { tlsArgs } from './tls';
import { annotated, type AnnotatedObject } from './object';

/** Where controller-runtime (and so controller/flags.ts's --cert-dir default) looks for the serving cert. */
const CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
const NOBODY = 65534;

const CONTAINER_PATH = ['spec', 'template', 'spec', 'containers', 0] as const;

export function renderControllerDeployment(opts: InstallOptions): AnnotatedObject[] {
  const pod = opts.controller;
  return [
    annotated(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: CONTROLLER, namespace: opts.namespace, labels: CONTROLLER_LABELS },
        spec: {
          revisionHistoryLimit: 3,
          selector: { matchLabels: CONTROLLER_LABELS },
          template: {
            metadata: {
              labels: CONTROLLER_LABELS,
              annotations: {
                'prometheus.io/port': String(opts.controllerMetricsPort),
                'prometheus.io/scrape': 'true',
                ...pod.annotations,
              },
            },
            spec: {
              serviceAccountName: CONTROLLER,
              terminationGracePeriodSeconds: 0,
              nodeSelector: { 'kubernetes.io/os': 'linux', ...pod.nodeSelector },
              ...schedulingFields(pod),
              securityContext: podSecurityContext(opts),
              containers: [controllerContainer(opts)],
              volumes: [
                { name: 'cert', secret: { secretName: WEBHOOK_CERT_SECRET, defaultMode: 0o644 } },
                ...serviceCaMetricsParts(opts, CONTROLLER).volumes,
              ],
            },
          },
        },
      },
      {
        path: [...CONTAINER_PATH, 'env', 0],
        text:
          'Set explicitly rather than read from the mounted ServiceAccount files, so the controller also\n' +
          "runs where nothing is mounted at /var/run/secrets (the e2e harness's process kubelet).",
      },
    ),
  ];
}

// On OpenShift the restricted SCC assigns a UID and fsGroup from the namespace's range and refuses a pod that
// names its own, so only runAsNonRoot stays (upstream metallb-operator pkg/helm/metallb.go Objects).
function podSecurityContext(opts: InstallOptions): Record<string, unknown> {
  return opts.platform === 'openshift'
    ? { runAsNonRoot: true }
    : { runAsNonRoot: true, runAsUser: NOBODY, fsGroup: NOBODY };
}

/** The controller's command line; controller/flags.ts parses it. */
export function controllerArgs(opts: InstallOptions): string[] {
  return [
    `--port=${opts.controllerMetricsPort}`,
    `--log-level=${opts.logLevel}`,
    ...(opts.loadBalancerClass === undefined ? [] : [`--lb-class=${opts.loadBalancerClass}`]),
    '--webhook-mode=enabled',
    // Always a minimum version: TLS 1.2 when unset (kube/tls/settings.ts DEFAULT_TLS_MIN_VERSION), as before.
    ...tlsArgs({ ...opts.tls, minVersion: opts.tls.minVersion ?? 'VersionTLS12' }),
    ...serviceCaMetricsParts(opts, CONTROLLER).args,
    // The service CA writes and rotates the certificate there (render/webhookservice.ts), so the controller
    // reads it instead of minting its own.
    ...(opts.platform === 'openshift' ? ['--disable-cert-rotation=true'] : []),
  ];
}

// Fields the MetalLB resource may set and today's manifest leaves out: absent unless set, so the default
// render adds nothing an API server would not default the same way.
function schedulingFields(pod: PodOptions): Record<string, unknown> {
  return {
    ...(pod.tolerations.length > 0 ? { tolerations: pod.tolerations } : {}),
    ...(pod.priorityClassName === undefined ? {} : { priorityClassName: pod.priorityClassName }),
    ...(pod.runtimeClassName === undefined ? {} : { runtimeClassName: pod.runtimeClassName }),
    ...(pod.affinity === undefined ? {} : { affinity: pod.affinity }),
  };
}

function controllerContainer(opts: InstallOptions): Record<string, unknown> {
  const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  const resources = opts.controller.resources;
  return {
    name: CONTROLLER,
    image: opts.controllerImage,
    args: controllerArgs(opts),
    env: [
      { name: 'METALLB_NAMESPACE', ...fieldRef('metadata.namespace') },
      { name: 'METALLB_POD_NAME', ...fieldRef('metadata.name') },
      { name: 'METALLB_ML_SECRET_NAME', value: MEMBERLIST_SECRET },
      { name: 'METALLB_DEPLOYMENT', value: CONTROLLER },
      // Absent in native mode, as upstream's chart renders it: the controller then validates for native.
      ...(opts.bgpBackend === 'frr' ? [{ name: 'METALLB_BGP_TYPE', value: 'frr' }] : []),
    ],
    ports: [
      { name: 'monitoring', containerPort: opts.controllerMetricsPort },
      { name: 'webhook-server', containerPort: WEBHOOK_PORT, protocol: 'TCP' },
      { name: 'health', containerPort: CONTROLLER_HEALTH_PORT },
    ],
    ...(resources === undefined ? {} : { resources }),
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'health' },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      timeoutSeconds: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/readyz', port: 'health' },
      periodSeconds: 2,
      timeoutSeconds: 1,
      failureThreshold: 3,
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'cert', mountPath: CERT_DIR, readOnly: true },
      ...serviceCaMetricsParts(opts, CONTROLLER).volumeMounts,
    ],
  };
}
