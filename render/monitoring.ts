// Prometheus Operator objects for the controller's and the speakers' metrics, when the operator is told to
// deploy them (upstream's DEPLOY_SERVICEMONITORS / DEPLOY_PODMONITORS; metallb-operator
// bindata/deployment/helm/metallb/templates/servicemonitor.yaml and podmonitor.yaml). ironlb serves its
// metrics over plain HTTP on the `monitoring` port (controller/flags.ts --port), so the endpoints scrape http;
// in FRR mode the speaker's monitor also scrapes frr-metrics.
import { FRR_METRICS_PORT } from './frr';
import { CONTROLLER, CONTROLLER_LABELS, SPEAKER, SPEAKER_LABELS, SPEAKER_METRICS_PORT } from './names';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

const MONITORING_API = 'monitoring.coreos.com/v1';

interface Component {
  readonly name: typeof CONTROLLER | typeof SPEAKER;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly { readonly name: string; readonly port: number }[];
}

function components(opts: InstallOptions): Component[] {
  return [
    {
      name: CONTROLLER,
      labels: CONTROLLER_LABELS,
      ports: [{ name: 'monitoring', port: opts.controllerMetricsPort }],
    },
    {
      name: SPEAKER,
      labels: SPEAKER_LABELS,
      ports: [
        { name: 'monitoring', port: SPEAKER_METRICS_PORT },
        ...(opts.bgpBackend === 'frr' ? [{ name: 'frrmetrics', port: FRR_METRICS_PORT }] : []),
      ],
    },
  ];
}

export function renderMonitoring(opts: InstallOptions): AnnotatedObject[] {
  switch (opts.monitoring) {
    case 'none':
      return [];
    case 'servicemonitors':
      return components(opts).flatMap((c) => serviceMonitor(c, opts.namespace));
    case 'podmonitors':
      return components(opts).map((c) => podMonitor(c, opts.namespace));
  }
}

/** A headless Service over the component's pods, and the ServiceMonitor that selects it. */
function serviceMonitor(c: Component, namespace: string): AnnotatedObject[] {
  const service = `${c.name}-monitor-service`;
  return [
    annotated({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace, labels: { name: service } },
      spec: {
        clusterIP: 'None',
        selector: c.labels,
        ports: c.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
        sessionAffinity: 'None',
        type: 'ClusterIP',
      },
    }),
    annotated({
      apiVersion: MONITORING_API,
      kind: 'ServiceMonitor',
      metadata: { name: `${c.name}-monitor`, namespace, labels: { app: 'metallb', component: c.name } },
      spec: {
        endpoints: c.ports.map((p) => ({ port: p.name, scheme: 'http', honorLabels: true })),
        jobLabel: 'app.kubernetes.io/name',
        namespaceSelector: { matchNames: [namespace] },
        selector: { matchLabels: { name: service } },
      },
    }),
  ];
}

function podMonitor(c: Component, namespace: string): AnnotatedObject {
  return annotated({
    apiVersion: MONITORING_API,
    kind: 'PodMonitor',
    metadata: { name: c.name, namespace, labels: { app: 'metallb', component: c.name } },
    spec: {
      jobLabel: 'app.kubernetes.io/name',
      namespaceSelector: { matchNames: [namespace] },
      selector: { matchLabels: c.labels },
      podMetricsEndpoints: c.ports.map((p) => ({ port: p.name, scheme: 'http', honorLabels: true })),
    },
  });
}
