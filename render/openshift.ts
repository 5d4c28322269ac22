// OpenShift only: the SecurityContextConstraints the speaker runs under, and the RBAC that lets its
// ServiceAccount use it. Upstream's operator writes the same SCC (metallb-operator pkg/openshift/scc.go:
// host network and ports, NET_RAW, nothing privileged) and grants `use` through the CSV; here the grant is
// rendered with the SCC so both installs (OLM and `oc apply`) get it, the same effect as
// `oc adm policy add-scc-to-user metallb-speaker -n <namespace> -z speaker`, limited by resourceNames to this
// one SCC. Rendered only for `platform: openshift`; elsewhere the API does not exist.
import { APP_LABELS, SPEAKER } from './names';
import type { InstallOptions, Platform } from './options';
import { annotated, type AnnotatedObject } from './object';

export const SPEAKER_SCC = 'metallb-speaker';
/** The speaker pods ask for the SCC by name so admission never picks a broader one that happens to match. */
export const REQUIRED_SCC_ANNOTATION = 'openshift.io/required-scc';
export const SPEAKER_SCC_ROLE = 'metallb-speaker-scc';
export const SCC_API_GROUP = 'security.openshift.io';

/**
 * The capabilities the speaker's containers add: NET_RAW for ARP/NDP (render/speaker.ts), and in `frr` mode
 * what upstream's FRR sidecars add (render/frr.ts). Nothing else is allowed.
 */
export function speakerCapabilities(opts: InstallOptions): string[] {
  return opts.bgpBackend === 'frr' ? ['NET_ADMIN', 'NET_BIND_SERVICE', 'NET_RAW', 'SYS_ADMIN'] : ['NET_RAW'];
}

export function renderSpeakerScc(opts: InstallOptions): AnnotatedObject[] {
  if (opts.platform !== 'openshift') return [];
  const rbac = 'rbac.authorization.k8s.io';
  return [
    annotated(
      {
        apiVersion: `${SCC_API_GROUP}/v1`,
        kind: 'SecurityContextConstraints',
        metadata: { name: SPEAKER_SCC, labels: APP_LABELS },
        allowHostNetwork: true,
        allowHostPorts: true,
        allowHostDirVolumePlugin: false,
        allowHostIPC: false,
        allowHostPID: false,
        allowPrivilegedContainer: false,
        allowPrivilegeEscalation: false,
        allowedCapabilities: speakerCapabilities(opts),
        requiredDropCapabilities: ['ALL'],
        readOnlyRootFilesystem: false,
        runAsUser: { type: 'RunAsAny' },
        seLinuxContext: { type: 'RunAsAny' },
        fsGroup: { type: 'RunAsAny' },
        supplementalGroups: { type: 'RunAsAny' },
        seccompProfiles: ['runtime/default'],
        volumes: ['configMap', 'downwardAPI', 'emptyDir', 'projected', 'secret'],
        users: [],
        groups: [],
      },
      {
        path: ['runAsUser'],
        text:
          'RunAsAny: the speaker container runs as UID 0 so its one added capability is effective\n' +
          '(render/speaker.ts); it is still unprivileged, without escalation, every other capability dropped.',
      },
    ),
    annotated({
      apiVersion: `${rbac}/v1`,
      kind: 'Role',
      metadata: { name: SPEAKER_SCC_ROLE, namespace: opts.namespace, labels: APP_LABELS },
      rules: [
        {
          apiGroups: [SCC_API_GROUP],
          resources: ['securitycontextconstraints'],
          resourceNames: [SPEAKER_SCC],
          verbs: ['use'],
        },
      ],
    }),
    annotated({
      apiVersion: `${rbac}/v1`,
      kind: 'RoleBinding',
      metadata: { name: SPEAKER_SCC_ROLE, namespace: opts.namespace, labels: APP_LABELS },
      roleRef: { apiGroup: rbac, kind: 'Role', name: SPEAKER_SCC_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: SPEAKER, namespace: opts.namespace }],
    }),
  ];
}

/** Where the service CA writes a Service's serving certificate (service-ca-operator's annotation). */
export const SERVING_CERT_ANNOTATION = 'service.beta.openshift.io/serving-cert-secret-name';
/** The service CA fills caBundle of every webhook of an object with this annotation. */
export const INJECT_CABUNDLE_ANNOTATION = 'service.beta.openshift.io/inject-cabundle';

/**
 * The CRD whose conversion webhook the controller serves (crds/metallb.io_bgppeers.yaml). Off OpenShift the
 * controller writes its caBundle (controller/webhooks/certmanager.ts); on OpenShift it runs with rotation off
 * and the service CA fills it instead, once the CRD carries INJECT_CABUNDLE_ANNOTATION (upstream's non-OLM
 * overlay, metallb-operator hack/ocp-kustomize-overlay, annotates the same CRD). The CRD is cluster-scoped and
 * installed with crds/ or by OLM from the bundle, not by the MetalLB resource, so the operator only adds the
 * annotation (operator/app/reconciler.ts) and never owns, applies or deletes the CRD itself.
 */
export const CONVERSION_CRD = 'bgppeers.metallb.io';

/** The annotations the operator merges onto CONVERSION_CRD; none off OpenShift. */
export function conversionCrdAnnotations(platform: Platform): Readonly<Record<string, string>> {
  return platform === 'openshift' ? { [INJECT_CABUNDLE_ANNOTATION]: 'true' } : {};
}

/** Where upstream mounts the metrics serving certificate (metallb-operator chart, `--metrics-cert-dir`). */
export const METRICS_CERT_DIR = '/etc/metrics';
const METRICS_CERT_VOLUME = 'metrics-certs';

/** The Secret the service CA writes for a component's metrics Service (upstream's names). */
export function metricsCertSecret(component: string): string {
  return `${component}-certs-secret`;
}

/**
 * Whether the controller and speakers serve their metrics with the service CA's certificate: on OpenShift
 * with ServiceMonitors, whose `<component>-monitor-service` Services ask the service CA for it
 * (render/monitoring.ts). Without those Services no Secret is written, and a pod mounting it would never
 * start, so other installs keep the operands' own certificate (controller) or plain HTTP (speaker).
 */
export function servesServiceCaMetrics(opts: InstallOptions): boolean {
  return opts.platform === 'openshift' && opts.monitoring === 'servicemonitors';
}

/** The container and pod fields that give a component its service-CA metrics certificate. */
export function serviceCaMetricsParts(opts: InstallOptions, component: string) {
  const on = servesServiceCaMetrics(opts);
  return {
    args: on ? [`--metrics-cert-dir=${METRICS_CERT_DIR}`] : [],
    volumeMounts: on ? [{ name: METRICS_CERT_VOLUME, mountPath: METRICS_CERT_DIR, readOnly: true }] : [],
    volumes: on ? [{ name: METRICS_CERT_VOLUME, secret: { secretName: metricsCertSecret(component) } }] : [],
  };
}
