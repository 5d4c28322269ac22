// The MetalLB resource's spec, with the operator's environment, as render/'s InstallOptions: the one place
// that says where each spec field lands (metallb-operator pkg/helm/metallb.go patchMetalLBChartValues and
// overrideControllerParameters / overrideSpeakerParameters). Pure: the reconciler calls it, the golden tests
// pin it.
import type { MetalLBSpec } from '../../api/metallb';
import type { InstallOptions, Platform, PodOptions, RenderedBGPBackend } from '../../render/options';
import { resolveInstallOptions } from '../../render/options';
import type { OperatorEnvironment } from '../env';

/** A spec ironlb cannot deploy as asked: the reconciler reports it as Degraded and changes nothing. */
export interface Unsupported {
  readonly kind: 'unsupported';
  /** The spec field, e.g. `spec.bgpBackend`. */
  readonly field: string;
  readonly value: string;
  readonly reason: string;
}

export type SpecOptions = { readonly kind: 'options'; readonly options: InstallOptions } | Unsupported;

type PodConfig = NonNullable<MetalLBSpec['controllerConfig']>;

function podOptions(
  nodeSelector: MetalLBSpec['nodeSelector'],
  tolerations: MetalLBSpec['speakerTolerations'],
  config: PodConfig | undefined,
): Partial<PodOptions> {
  return {
    nodeSelector,
    tolerations,
    priorityClassName: emptyAsUnset(config?.priorityClassName),
    runtimeClassName: emptyAsUnset(config?.runtimeClassName),
    annotations: config?.annotations,
    resources: config?.resources,
    affinity: config?.affinity,
  };
}

// Helm's `{{ with }}` skips an empty string, so `priorityClassName: ""` renders no field upstream either.
const emptyAsUnset = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

/**
 * Which renderer serves `bgpBackend`. Empty means native: upstream defaults to `frr` on vanilla Kubernetes
 * (metallb-operator pkg/params/params.go BGPType), but ironlb's speaker is the native one (speaker/flags.ts
 * refuses METALLB_BGP_TYPE=frr), so an FRR install would not run by default.
 */
export function bgpBackendFor(value: string | undefined): RenderedBGPBackend | Unsupported {
  switch (value ?? '') {
    case '':
    case 'native':
      return 'native';
    case 'frr':
      return 'frr';
    case 'frr-k8s':
    case 'frr-k8s-external':
      return {
        kind: 'unsupported',
        field: 'spec.bgpBackend',
        value: value ?? '',
        reason: 'ironlb does not deploy frr-k8s yet; use native or frr',
      };
    default:
      return {
        kind: 'unsupported',
        field: 'spec.bgpBackend',
        value: value ?? '',
        reason: 'must be one of native, frr, frr-k8s, frr-k8s-external',
      };
  }
}

/** `platform` is what the operator detected at start (operator/app/platform.ts), not part of the spec. */
export function installOptionsFromSpec(
  spec: MetalLBSpec,
  env: OperatorEnvironment,
  platform: Platform = 'kubernetes',
): SpecOptions {
  const bgpBackend = bgpBackendFor(spec.bgpBackend);
  if (typeof bgpBackend !== 'string') return bgpBackend;
  return {
    kind: 'options',
    options: resolveInstallOptions({
      namespace: env.namespace,
      logLevel: spec.logLevel,
      loadBalancerClass: emptyAsUnset(spec.loadBalancerClass),
      controllerImage: env.controllerImage,
      speakerImage: env.speakerImage,
      frrImage: env.frrImage,
      monitoring: env.monitoring,
      networkPolicies: env.networkPolicies,
      controllerMetricsPort: env.controllerMetricsPort,
      tls: env.tls,
      platform,
      bgpBackend,
      controller: podOptions(spec.controllerNodeSelector, spec.controllerTolerations, spec.controllerConfig),
      speaker: podOptions(spec.nodeSelector, spec.speakerTolerations, spec.speakerConfig),
    }),
  };
}
