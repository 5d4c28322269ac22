// The speaker DaemonSet (upstream config/manifests/metallb-native.yaml, DaemonSet `speaker`): one pod per
// node on the host network, answering ARP/NDP for the addresses its node wins. Never privileged: it runs as
// root only so that the one capability it is given, NET_RAW (AF_PACKET sockets in speaker/l2/), is effective;
// Kubernetes grants added capabilities to UID 0 only (no ambient capabilities). Binding 7472 and 7946 and
// joining multicast groups need nothing more.
import {
  MEMBERLIST_SECRET,
  SPEAKER,
  SPEAKER_LABELS,
  SPEAKER_MEMBERLIST_PORT,
  SPEAKER_METRICS_PORT,
} from './names';
import { FRR_SPEAKER_ENV, FRR_SPEAKER_MOUNT, FRR_VOLUMES, frrContainers, frrInitContainers } from './frr';
import {
  REQUIRED_SCC_ANNOTATION,
  SPEAKER_SCC,
  serviceCaMetricsParts,
  servesServiceCaMetrics,
} from './openshift';
import { tlsArgs } from './tls';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

const ML_KEY_DIR = '/etc/ml_secret_key';
const CONTAINER_PATH = ['spec', 'template', 'spec', 'containers', 0] as const;

/** The speaker's command line; speaker/flags.ts parses it. */
export function speakerArgs(opts: InstallOptions): string[] {
  return [
    `--port=${SPEAKER_METRICS_PORT}`,
    `--log-level=${opts.logLevel}`,
    ...(opts.loadBalancerClass === undefined ? [] : [`--lb-class=${opts.loadBalancerClass}`]),
    ...tlsArgs(opts.tls),
    ...serviceCaMetricsParts(opts, SPEAKER).args,
  ];
}

export function renderSpeakerDaemonSet(opts: InstallOptions): AnnotatedObject[] {
  const pod = opts.speaker;
  const frr = opts.bgpBackend === 'frr';
  const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  const metricsCert = serviceCaMetricsParts(opts, SPEAKER);
  // The probes share the metrics port, which speaks HTTPS with a metrics certificate (speaker/main.ts); the
  // kubelet does not verify probe certificates.
  const probeScheme = servesServiceCaMetrics(opts) ? { scheme: 'HTTPS' } : {};
  return [
    annotated(
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: SPEAKER, namespace: opts.namespace, labels: SPEAKER_LABELS },
        spec: {
          selector: { matchLabels: SPEAKER_LABELS },
          template: {
            metadata: {
              labels: SPEAKER_LABELS,
              annotations: {
                // Two metrics ports in FRR mode: upstream's chart drops the port annotation there.
                ...(frr ? {} : { 'prometheus.io/port': String(SPEAKER_METRICS_PORT) }),
                'prometheus.io/scrape': 'true',
                ...pod.annotations,
                // After the MetalLB resource's annotations: the SCC the operator grants is the one asked for.
                ...(opts.platform === 'openshift' ? { [REQUIRED_SCC_ANNOTATION]: SPEAKER_SCC } : {}),
              },
            },
            spec: {
              serviceAccountName: SPEAKER,
              hostNetwork: true,
              // Upstream's 2 s: membership's planned leave takes at most 1 s.
              terminationGracePeriodSeconds: 2,
              nodeSelector: { 'kubernetes.io/os': 'linux', ...pod.nodeSelector },
              tolerations: [
                { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule', operator: 'Exists' },
                { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule', operator: 'Exists' },
                ...pod.tolerations,
              ],
              ...(pod.priorityClassName === undefined ? {} : { priorityClassName: pod.priorityClassName }),
              ...(pod.runtimeClassName === undefined ? {} : { runtimeClassName: pod.runtimeClassName }),
              ...(pod.affinity === undefined ? {} : { affinity: pod.affinity }),
              ...(frr ? { shareProcessNamespace: true, initContainers: frrInitContainers(opts) } : {}),
              containers: [
                {
                  name: SPEAKER,
                  image: opts.speakerImage,
                  args: speakerArgs(opts),
                  env: [
                    { name: 'METALLB_NODE_NAME', ...fieldRef('spec.nodeName') },
                    { name: 'METALLB_POD_NAME', ...fieldRef('metadata.name') },
                    { name: 'METALLB_NAMESPACE', ...fieldRef('metadata.namespace') },
                    { name: 'METALLB_HOST', ...fieldRef('status.hostIP') },
                    { name: 'METALLB_ML_BIND_ADDR', ...fieldRef('status.podIP') },
                    { name: 'METALLB_ML_BIND_PORT', value: String(SPEAKER_MEMBERLIST_PORT) },
                    { name: 'METALLB_ML_LABELS', value: 'app=metallb,component=speaker' },
                    { name: 'METALLB_ML_SECRET_KEY_PATH', value: ML_KEY_DIR },
                    ...(frr ? FRR_SPEAKER_ENV : []),
                  ],
                  ports: [
                    { name: 'monitoring', containerPort: SPEAKER_METRICS_PORT },
                    { name: 'memberlist-tcp', containerPort: SPEAKER_MEMBERLIST_PORT, protocol: 'TCP' },
                    { name: 'memberlist-udp', containerPort: SPEAKER_MEMBERLIST_PORT, protocol: 'UDP' },
                  ],
                  ...(pod.resources === undefined ? {} : { resources: pod.resources }),
                  livenessProbe: {
                    httpGet: { path: '/healthz', port: 'monitoring', ...probeScheme },
                    initialDelaySeconds: 10,
                    periodSeconds: 10,
                    timeoutSeconds: 1,
                    failureThreshold: 3,
                  },
                  readinessProbe: {
                    httpGet: { path: '/readyz', port: 'monitoring', ...probeScheme },
                    periodSeconds: 2,
                    timeoutSeconds: 1,
                    failureThreshold: 3,
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    runAsUser: 0,
                    capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
                  },
                  volumeMounts: [
                    { name: 'memberlist', mountPath: ML_KEY_DIR, readOnly: true },
                    ...(frr ? [FRR_SPEAKER_MOUNT] : []),
                    ...metricsCert.volumeMounts,
                  ],
                },
                ...(frr ? frrContainers(opts) : []),
              ],
              volumes: [
                { name: 'memberlist', secret: { secretName: MEMBERLIST_SECRET, defaultMode: 0o644 } },
                ...(frr ? FRR_VOLUMES : []),
                ...metricsCert.volumes,
              ],
            },
          },
        },
      },
      {
        path: [...CONTAINER_PATH, 'securityContext'],
        text:
          'NET_RAW only: AF_PACKET sockets for ARP/NDP (speaker/l2/sys/packet-socket.ts). Root so the\n' +
          'capability is effective; never privileged.',
      },
      {
        path: [...CONTAINER_PATH, 'volumeMounts', 0],
        text:
          'The memberlist key as a file, not an env secretKeyRef: the controller writes 128 random bytes\n' +
          '(controller/app/memberlist.ts), which may hold NUL bytes no environment variable can carry.',
      },
    ),
  ];
}
