// What the install objects depend on: the knobs of the operator's MetalLB resource (api/metallb.ts) that reach
// the controller, with defaults that render manifests/ironlb-native.yaml. Every field is resolved, so the
// render functions never guess a default of their own.
import type { Affinity, ResourceRequirements, Toleration } from '../api/corev1';
import type { LogLevel } from '../api/metallb';
import { CONTROLLER_METRICS_PORT } from './names';

/** Pod settings of one component: MetalLB's `controllerNodeSelector`, `controllerTolerations`, `controllerConfig`. */
export interface PodOptions {
  /** Merged over the fixed `kubernetes.io/os: linux`, as upstream's chart does. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly priorityClassName: string | undefined;
  readonly runtimeClassName: string | undefined;
  /** Pod template annotations, merged over the Prometheus scrape annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Of the component's main container only. */
  readonly resources: ResourceRequirements | undefined;
  readonly affinity: Affinity | undefined;
}

/**
 * The values of MetalLB's `bgpBackend` that ironlb renders: its own speaker (`native`), or the speaker beside
 * upstream's FRR sidecars (`frr`, upstream chart `speaker.frr.enabled`). frr-k8s modes are not rendered.
 */
export const RENDERED_BGP_BACKENDS = ['native', 'frr'] as const;
export type RenderedBGPBackend = (typeof RENDERED_BGP_BACKENDS)[number];

/**
 * Prometheus Operator objects for the metrics: none, ServiceMonitors (with their headless Services) or
 * PodMonitors; upstream's DEPLOY_SERVICEMONITORS / DEPLOY_PODMONITORS, which exclude each other.
 */
export const MONITORING_MODES = ['none', 'servicemonitors', 'podmonitors'] as const;
export type MonitoringMode = (typeof MONITORING_MODES)[number];

/**
 * Where the install runs. `openshift` (the operator detects it from API discovery: operator/app/platform.ts)
 * lets the restricted SCC pick the controller's UID, gives the speaker the `metallb-speaker` SCC, and takes
 * the webhook certificates from the service CA (upstream metallb-operator pkg/helm/metallb.go and
 * pkg/openshift/scc.go).
 */
export const PLATFORMS = ['kubernetes', 'openshift'] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * The operands' TLS settings as upstream passes them (metallb-operator TLS_MIN_VERSION, TLS_CIPHER_SUITES,
 * TLS_CURVE_PREFERENCES; kube/tls/settings.ts parses them): Go's version name, IANA cipher suites and numeric
 * CurveIDs, comma-separated. Undefined leaves the operand's default (TLS 1.2 and up, Node's ciphers and
 * groups).
 */
export interface TlsOptions {
  readonly minVersion: string | undefined;
  readonly cipherSuites: string | undefined;
  readonly curvePreferences: string | undefined;
}

export interface InstallOptions {
  /** Where every namespaced object goes (the operator's own namespace). */
  readonly namespace: string;
  readonly logLevel: LogLevel;
  /** `--lb-class`: serve only Services of this loadBalancerClass; undefined serves those without a class. */
  readonly loadBalancerClass: string | undefined;
  readonly controllerImage: string;
  readonly controller: PodOptions;
  readonly speakerImage: string;
  /** MetalLB's `speakerNodeSelector`, `speakerTolerations`, `speakerConfig`. */
  readonly speaker: PodOptions;
  readonly bgpBackend: RenderedBGPBackend;
  /** The FRR sidecars' image, used in `frr` mode only. */
  readonly frrImage: string;
  readonly monitoring: MonitoringMode;
  readonly platform: Platform;
  /**
   * The controller's NetworkPolicy (render/networkpolicy.ts). The operator renders it unless
   * DISABLE_NETWORK_POLICIES=true, as upstream's does; the plain manifest leaves it out, as MetalLB's own
   * metallb-native.yaml does (its config/networkpolicies are a separate kustomization), because a cluster whose
   * API server is not on 6443 would lose its controller to it with nobody there to turn it off.
   */
  readonly networkPolicies: boolean;
  /**
   * The controller's metrics port (its --port, `monitoring` containerPort, scrape annotation, NetworkPolicy and
   * monitor ports). Default 7472, as upstream. The e2e harness, whose pods share their node's network namespace,
   * moves it off the host-network speaker's 7472 (operator/env.ts CONTROLLER_METRICS_PORT).
   */
  readonly controllerMetricsPort: number;
  /** Rendered as --tls-min-version, --tls-cipher-suites, --tls-curve-preferences on the controller and speaker. */
  readonly tls: TlsOptions;
}

/** InstallOptions with any field left out, pod settings included. */
export type InstallOptionsInput = Partial<Omit<InstallOptions, 'controller' | 'speaker' | 'tls'>> & {
  readonly tls?: Partial<TlsOptions>;
  readonly controller?: Partial<PodOptions>;
  readonly speaker?: Partial<PodOptions>;
};

export const DEFAULT_POD_OPTIONS: PodOptions = {
  nodeSelector: {},
  tolerations: [],
  priorityClassName: undefined,
  runtimeClassName: undefined,
  annotations: {},
  resources: undefined,
  affinity: undefined,
};

export const DEFAULT_INSTALL_OPTIONS: InstallOptions = {
  namespace: 'metallb-system',
  logLevel: 'info',
  loadBalancerClass: undefined,
  controllerImage: 'quay.io/ironlb/ironlb-controller:dev',
  controller: DEFAULT_POD_OPTIONS,
  speakerImage: 'quay.io/ironlb/ironlb-speaker:dev',
  speaker: DEFAULT_POD_OPTIONS,
  bgpBackend: 'native',
  // Upstream's FRR_IMAGE default (metallb-operator config/manager/env.yaml).
  frrImage: 'quay.io/frrouting/frr:9.1.0',
  monitoring: 'none',
  platform: 'kubernetes',
  networkPolicies: false,
  controllerMetricsPort: CONTROLLER_METRICS_PORT,
  tls: { minVersion: undefined, cipherSuites: undefined, curvePreferences: undefined },
};

// Field by field, so that `{ logLevel: undefined }` means "not set", as an absent field of the MetalLB
// resource does.
export function resolveInstallOptions(input: InstallOptionsInput = {}): InstallOptions {
  const d = DEFAULT_INSTALL_OPTIONS;
  return {
    namespace: input.namespace ?? d.namespace,
    logLevel: input.logLevel ?? d.logLevel,
    loadBalancerClass: input.loadBalancerClass ?? d.loadBalancerClass,
    controllerImage: input.controllerImage ?? d.controllerImage,
    controller: resolvePodOptions(input.controller),
    speakerImage: input.speakerImage ?? d.speakerImage,
    speaker: resolvePodOptions(input.speaker),
    bgpBackend: input.bgpBackend ?? d.bgpBackend,
    frrImage: input.frrImage ?? d.frrImage,
    monitoring: input.monitoring ?? d.monitoring,
    platform: input.platform ?? d.platform,
    networkPolicies: input.networkPolicies ?? d.networkPolicies,
    controllerMetricsPort: input.controllerMetricsPort ?? d.controllerMetricsPort,
    tls: {
      minVersion: input.tls?.minVersion ?? d.tls.minVersion,
      cipherSuites: input.tls?.cipherSuites ?? d.tls.cipherSuites,
      curvePreferences: input.tls?.curvePreferences ?? d.tls.curvePreferences,
    },
  };
}

export function resolvePodOptions(input: Partial<PodOptions> = {}): PodOptions {
  const d = DEFAULT_POD_OPTIONS;
  return {
    nodeSelector: input.nodeSelector ?? d.nodeSelector,
    tolerations: input.tolerations ?? d.tolerations,
    priorityClassName: input.priorityClassName ?? d.priorityClassName,
    runtimeClassName: input.runtimeClassName ?? d.runtimeClassName,
    annotations: input.annotations ?? d.annotations,
    resources: input.resources ?? d.resources,
    affinity: input.affinity ?? d.affinity,
  };
}
