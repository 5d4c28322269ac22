// Prometheus Operator objects for the controller's and the speakers' metrics, when the operator is told to
// deploy them (upstream's DEPLOY_SERVICEMONITORS / DEPLOY_PODMONITORS; metallb-operator
// bindata/deployment/helm/metallb/templates/servicemonitor.yaml and podmonitor.yaml). The controller serves
// its `monitoring` port over HTTPS behind TokenReview/SubjectAccessReview (kube/securemetrics.ts) with a
// self-signed certificate, so its endpoint scrapes https with the scraper's token and, as upstream's vanilla
// rendering, without verifying; the speaker serves plain HTTP there. On OpenShift with ServiceMonitors both
// get the service CA's certificate (render/openshift.ts servesServiceCaMetrics) and their endpoints
// upstream's OpenShift tlsConfig (pkg/helm setOcpMonitorFields): the service CA bundle and the platform
// Prometheus's client certificate, the Service's DNS name, verification on. In FRR mode the speaker's
// monitor also scrapes frr-metrics: over HTTPS as `frrmetricshttps` where it has that certificate too
// (render/frr.ts), plain HTTP elsewhere.
import { FRR_METRICS_PORT, frrMetricsPortName } from './frr';
import { CONTROLLER, CONTROLLER_LABELS, SPEAKER, SPEAKER_LABELS, SPEAKER_METRICS_PORT } from './names';
import { SERVING_CERT_ANNOTATION, metricsCertSecret, servesServiceCaMetrics } from './openshift';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

const MONITORING_API = 'monitoring.coreos.com/v1';

interface Component {
  readonly name: typeof CONTROLLER | typeof SPEAKER;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly Port[];
}

interface Port {
  readonly name: string;
  readonly port: number;
  /** Served over HTTPS behind the scraper's bearer token (kube/securemetrics.ts). */
  readonly secure: boolean;
}

const BEARER_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Upstream's OpenShift tlsConfig: where the platform Prometheus holds the service CA and its client cert. */
function openshiftTlsConfig(service: string, namespace: string): Record<string, unknown> {
  return {
    caFile: '/etc/prometheus/configmaps/serving-certs-ca-bundle/service-ca.crt',
    certFile: '/etc/prometheus/secrets/metrics-client-certs/tls.crt',
    keyFile: '/etc/prometheus/secrets/metrics-client-certs/tls.key',
    serverName: `${service}.${namespace}.svc`,
    insecureSkipVerify: false,
  };
}

function components(opts: InstallOptions): Component[] {
  return [
    {
      name: CONTROLLER,
      labels: CONTROLLER_LABELS,
      ports: [{ name: 'monitoring', port: opts.controllerMetricsPort, secure: true }],
    },
    {
      name: SPEAKER,
      labels: SPEAKER_LABELS,
      ports: [
        { name: 'monitoring', port: SPEAKER_METRICS_PORT, secure: servesServiceCaMetrics(opts) },
        ...(opts.bgpBackend === 'frr'
          ? [{ name: frrMetricsPortName(opts), port: FRR_METRICS_PORT, secure: servesServiceCaMetrics(opts) }]
          : []),
      ],
    },
  ];
}

export function renderMonitoring(opts: InstallOptions): AnnotatedObject[] {
  switch (opts.monitoring) {
    case 'none':
      return [];
    case 'servicemonitors':
      return components(opts).flatMap((c) => serviceMonitor(c, opts));
    case 'podmonitors':
      return components(opts).map((c) => podMonitor(c, opts.namespace));
  }
}

/** A headless Service over the component's pods, and the ServiceMonitor that selects it. */
function serviceMonitor(c: Component, opts: InstallOptions): AnnotatedObject[] {
  const namespace = opts.namespace;
  const service = `${c.name}-monitor-service`;
  const serviceCa = servesServiceCaMetrics(opts);
  return [
    annotated({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: service,
        namespace,
        labels: { name: service },
        // The service CA writes the component's metrics certificate, which its pods mount (render/openshift.ts).
        ...(serviceCa ? { annotations: { [SERVING_CERT_ANNOTATION]: metricsCertSecret(c.name) } } : {}),
      },
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
        endpoints: c.ports.map((p) =>
          endpoint(p, 'service', serviceCa && p.secure ? openshiftTlsConfig(service, namespace) : undefined),
        ),
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
      podMetricsEndpoints: c.ports.map((p) => endpoint(p, 'pod')),
    },
  });
}

/**
 * One scrape endpoint: plain http, or https with the given or upstream's vanilla tlsConfig. A ServiceMonitor
 * sends Prometheus's own token; a PodMonitor cannot name a token file (only a Secret, which is the
 * cluster's to make), so, as upstream's podmonitor.yaml, it scrapes https without one, and the controller
 * answers 401 until the PodMonitor is given an `authorization` of the cluster's Prometheus.
 */
function endpoint(
  p: Port,
  monitor: 'service' | 'pod',
  tlsConfig?: Record<string, unknown>,
): Record<string, unknown> {
  if (!p.secure) return { port: p.name, scheme: 'http', honorLabels: true };
  return {
    port: p.name,
    scheme: 'https',
    honorLabels: true,
    ...(monitor === 'service' ? { bearerTokenFile: BEARER_TOKEN_FILE } : {}),
    tlsConfig: tlsConfig ?? { insecureSkipVerify: true },
  };
}
