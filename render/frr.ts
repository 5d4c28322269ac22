// FRR mode (MetalLB's `bgpBackend: frr`): the speaker pod gains upstream's FRR sidecars, as the MetalLB
// operator's chart renders them (metallb-operator bindata/deployment/helm/metallb/templates/speaker.yaml,
// `speaker.frr.enabled`): `frr` runs the routing daemons, `reloader` applies the configuration the speaker
// writes to a shared volume, `frr-metrics` exports FRR's state; init containers copy the startup files and the
// two helper binaries into emptyDirs. `shareProcessNamespace` lets the reloader signal FRR. On OpenShift with
// ServiceMonitors, frr-metrics serves HTTPS with the speaker's service-CA certificate on `frrmetricshttps`, as
// upstream's (MetalLB frr-tools/metrics/exporter.go --tls-cert-file/--tls-private-key-file, and the operands'
// --tls-* flags, so it follows TLS_* or the cluster's profile like the speaker).
import { SPEAKER } from './names';
import { METRICS_CERT_DIR, serviceCaMetricsParts, servesServiceCaMetrics } from './openshift';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';
import { tlsArgs } from './tls';

export const FRR_STARTUP_CONFIGMAP = 'frr-startup';
/** Upstream chart's `speaker.frr.metricsPort`, next to the speaker's 7472. */
export const FRR_METRICS_PORT = 7473;

/** frr-metrics' port name: upstream's `frrmetricshttps` where it serves the service CA's certificate. */
export function frrMetricsPortName(opts: InstallOptions): string {
  return servesServiceCaMetrics(opts) ? 'frrmetricshttps' : 'frrmetrics';
}

const RELOADER_DIR = '/etc/frr_reloader';
const METRICS_DIR = '/etc/frr_metrics';
const FRR_CONF_DIR = '/etc/frr';
const FRR_SOCKETS_DIR = '/var/run/frr';

// FRR's daemons file: zebra and watchfrr always run; MetalLB needs bgpd and bfdd. Every daemon listens on
// loopback only, with the fd limits upstream raises for many peers.
const DAEMONS = [
  'bgpd=yes',
  'bfdd=yes',
  ...['ospfd', 'ospf6d', 'ripd', 'ripngd', 'isisd', 'pimd', 'ldpd', 'nhrpd', 'eigrpd', 'babeld'].map(
    (d) => `${d}=no`,
  ),
  ...['sharpd', 'pbrd', 'fabricd', 'vrrpd'].map((d) => `${d}=no`),
  'vtysh_enable=yes',
  'zebra_options="  -A 127.0.0.1 -s 90000000 --limit-fds 100000"',
  'bgpd_options="   -A 127.0.0.1 -p 0 --limit-fds 100000"',
  'staticd_options="-A 127.0.0.1 --limit-fds 100000"',
  'bfdd_options="   -A 127.0.0.1 --limit-fds 100000"',
  '',
].join('\n');

const FRR_CONF = [
  '! Replaced by the speaker the first time it renders a configuration.',
  'frr defaults traditional',
  'hostname Router',
  'line vty',
  `log file ${FRR_CONF_DIR}/frr.log informational`,
  '',
].join('\n');

/** The ConfigMap cp-frr-files copies into /etc/frr; nothing in native mode. */
export function renderFrrStartupConfigMap(opts: InstallOptions): AnnotatedObject[] {
  if (opts.bgpBackend !== 'frr') return [];
  return [
    annotated(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: FRR_STARTUP_CONFIGMAP,
          namespace: opts.namespace,
          labels: { app: 'metallb', component: SPEAKER },
        },
        data: { daemons: DAEMONS, 'vtysh.conf': 'service integrated-vtysh-config\n', 'frr.conf': FRR_CONF },
      },
      { path: [], text: 'FRR wants these files owned by frr:frr at start; cp-frr-files copies them so.' },
    ),
  ];
}

/** What the speaker container itself needs in FRR mode: where to write frr.conf and whom to signal. */
export const FRR_SPEAKER_ENV = [
  { name: 'FRR_CONFIG_FILE', value: `${RELOADER_DIR}/frr.conf` },
  { name: 'FRR_RELOADER_PID_FILE', value: `${RELOADER_DIR}/reloader.pid` },
  { name: 'METALLB_BGP_TYPE', value: 'frr' },
] as const;

export const FRR_SPEAKER_MOUNT = { name: 'reloader', mountPath: RELOADER_DIR } as const;

export const FRR_VOLUMES = [
  { name: 'frr-sockets', emptyDir: {} },
  { name: 'frr-startup', configMap: { name: FRR_STARTUP_CONFIGMAP } },
  { name: 'frr-conf', emptyDir: {} },
  { name: 'reloader', emptyDir: {} },
  { name: 'metrics', emptyDir: {} },
] as const;

const sockets = { name: 'frr-sockets', mountPath: FRR_SOCKETS_DIR };
const conf = { name: 'frr-conf', mountPath: FRR_CONF_DIR };

export function frrInitContainers(opts: InstallOptions): Record<string, unknown>[] {
  return [
    {
      name: 'cp-frr-files',
      image: opts.frrImage,
      // The frr user and group of the FRR image.
      securityContext: { runAsUser: 100, runAsGroup: 101 },
      command: ['/bin/sh', '-c', `cp -rLf /tmp/frr/* ${FRR_CONF_DIR}/`],
      volumeMounts: [{ name: 'frr-startup', mountPath: '/tmp/frr' }, conf],
    },
    {
      name: 'cp-reloader',
      image: opts.speakerImage,
      command: ['/bin/sh', '-c', `cp -f /frr-reloader.sh ${RELOADER_DIR}/`],
      volumeMounts: [FRR_SPEAKER_MOUNT],
    },
    {
      name: 'cp-metrics',
      image: opts.speakerImage,
      command: ['/bin/sh', '-c', `cp -f /frr-metrics ${METRICS_DIR}/`],
      volumeMounts: [{ name: 'metrics', mountPath: METRICS_DIR }],
    },
  ];
}

export function frrContainers(opts: InstallOptions): Record<string, unknown>[] {
  const https = servesServiceCaMetrics(opts);
  // The kubelet does not verify probe certificates, so the probes only need the scheme.
  const livez = {
    httpGet: { path: '/livez', port: FRR_METRICS_PORT, ...(https ? { scheme: 'HTTPS' } : {}) },
  };
  const metricsCert = serviceCaMetricsParts(opts, SPEAKER);
  return [
    {
      name: 'frr',
      image: opts.frrImage,
      securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'NET_BIND_SERVICE'] } },
      env: [{ name: 'TINI_SUBREAPER', value: 'true' }],
      volumeMounts: [sockets, conf],
      // FRR's own entrypoint, then its log file on stdout so `kubectl logs -c frr` shows it; no log file
      // within 60 s fails the container, which restarts it.
      command: [
        '/bin/sh',
        '-c',
        [
          '/sbin/tini -- /usr/lib/frr/docker-start &',
          'attempts=0',
          `until [[ -f ${FRR_CONF_DIR}/frr.log || $attempts -eq 60 ]]; do`,
          '  sleep 1',
          '  attempts=$(( $attempts + 1 ))',
          'done',
          `tail -f ${FRR_CONF_DIR}/frr.log`,
          '',
        ].join('\n'),
      ],
      livenessProbe: { ...livez, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
      startupProbe: { ...livez, failureThreshold: 30, periodSeconds: 5 },
    },
    {
      name: 'reloader',
      image: opts.frrImage,
      command: [`${RELOADER_DIR}/frr-reloader.sh`],
      volumeMounts: [sockets, conf, FRR_SPEAKER_MOUNT],
    },
    {
      name: 'frr-metrics',
      image: opts.frrImage,
      command: [`${METRICS_DIR}/frr-metrics`],
      args: [
        `--metrics-port=${FRR_METRICS_PORT}`,
        ...(https
          ? [
              `--tls-cert-file=${METRICS_CERT_DIR}/tls.crt`,
              `--tls-private-key-file=${METRICS_CERT_DIR}/tls.key`,
              ...tlsArgs(opts.tls),
            ]
          : []),
      ],
      env: [{ name: 'VTYSH_HISTFILE', value: '/dev/null' }],
      ports: [{ name: frrMetricsPortName(opts), containerPort: FRR_METRICS_PORT }],
      volumeMounts: [sockets, conf, { name: 'metrics', mountPath: METRICS_DIR }, ...metricsCert.volumeMounts],
    },
  ];
}
