// The operator's environment, the contract its CSV fills in (metallb-operator pkg/params/params.go,
// config/manager/env.yaml): where the operands go and which images they run. Parsed once at start; a missing or
// malformed variable is a typed error naming it, and main.ts exits with it rather than rendering half an install.
import { CONTROLLER_METRICS_PORT } from '../render/names';
import { TlsSettingError, numericCurveIds, tlsServerSettings } from '../kube/tls/settings';
import type { MonitoringMode, TlsOptions } from '../render/options';

export interface OperatorEnvironment {
  /** OPERATOR_NAMESPACE: the operator's own namespace (downward API), where the MetalLB resource and every operand live. */
  readonly namespace: string;
  readonly controllerImage: string;
  readonly speakerImage: string;
  readonly frrImage: string;
  readonly monitoring: MonitoringMode;
  /** Not DISABLE_NETWORK_POLICIES: render the controller's NetworkPolicy (render/networkpolicy.ts). */
  readonly networkPolicies: boolean;
  /** CONTROLLER_METRICS_PORT (ironlb's, default 7472): the controller's metrics port (render/options.ts). */
  readonly controllerMetricsPort?: number;
  /** TLS_MIN_VERSION, TLS_CIPHER_SUITES, TLS_CURVE_PREFERENCES: the operands' TLS flags (render/tls.ts). */
  readonly tls?: TlsOptions;
}

export interface ParsedEnvironment {
  readonly env: OperatorEnvironment;
  /**
   * Variables of upstream's contract that are set but that ironlb does not act on (its operands' ports are
   * fixed, frr-k8s is not deployed): main.ts logs each once, so a setting is never silently dropped.
   */
  readonly notApplied: readonly { readonly name: string; readonly reason: string }[];
}

export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';

  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`environment variable ${variable}: ${reason}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const NOT_APPLIED: Readonly<Record<string, string>> = {
  METRICS_PORT: 'ironlb serves operand metrics on 7472 (render/names.ts)',
  FRR_METRICS_PORT: 'ironlb serves FRR metrics on 7473 (render/frr.ts)',
  MEMBER_LIST_BIND_PORT: 'ironlb binds memberlist on 7946 (render/names.ts)',
  OPERAND_LIVENESS_PORT: "ironlb's controller probes on 17472 (render/names.ts)",
  FRRK8S_IMAGE: 'ironlb does not deploy frr-k8s yet',
  FRRK8S_EXTERNAL_NAMESPACE: 'ironlb does not support the frr-k8s-external backend yet',
  DEPLOY_FRRK8S_FROM_CNO: 'ironlb does not support the frr-k8s backends yet',
};

function required(env: Env, name: string): string {
  const value = env[name]?.trim() ?? '';
  if (value === '') throw new EnvironmentError(name, 'is required');
  return value;
}

/** An image reference as upstream's getImageNameTag accepts it: a name, optionally `host[:port]/`, `:tag`, `@digest`. */
function image(env: Env, name: string): string {
  const value = required(env, name);
  if (/\s/.test(value) || value.endsWith(':') || value.endsWith('/') || value.startsWith('/'))
    throw new EnvironmentError(name, `${JSON.stringify(value)} is not an image reference`);
  return value;
}

/** Upstream reads these with strconv-free `== "true"`; anything else but "false" or empty is a typo. */
function flag(env: Env, name: string): boolean {
  const value = env[name]?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new EnvironmentError(name, `${JSON.stringify(value)} is neither "true" nor "false"`);
}

/** A TCP port, or `fallback` when unset. */
function port(env: Env, name: string, fallback: number): number {
  const value = env[name]?.trim() ?? '';
  if (value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535)
    throw new EnvironmentError(name, `${JSON.stringify(value)} is not a port (1-65535)`);
  return n;
}

/** The TLS settings' variables, which errors about them name. */
export const TLS_VARIABLES = {
  minVersion: 'TLS_MIN_VERSION',
  cipherSuites: 'TLS_CIPHER_SUITES',
  curvePreferences: 'TLS_CURVE_PREFERENCES',
} as const;

/**
 * Upstream's TLS variables (metallb-operator main.go, pkg/tlsconfig): checked here with the operands' own
 * parser, so a value the operands would refuse stops the operator at start, naming the variable, instead of
 * crash-looping every controller and speaker pod. Passed on as written, except curve names, which become the
 * numeric CurveIDs upstream's Go operands take; unset ones stay unset.
 */
function tlsOptions(env: Env): TlsOptions {
  const text = (name: string): string => env[name]?.trim() ?? '';
  try {
    tlsServerSettings(
      {
        minVersion: text(TLS_VARIABLES.minVersion),
        cipherSuites: text(TLS_VARIABLES.cipherSuites),
        curvePreferences: text(TLS_VARIABLES.curvePreferences),
      },
      TLS_VARIABLES,
    );
  } catch (err) {
    if (err instanceof TlsSettingError) throw new EnvironmentError(err.setting, err.reason);
    throw err;
  }
  const value = (name: string): string | undefined =>
    text(name) === '' ? undefined : text(name).replace(/\s*,\s*/g, ',');
  return {
    minVersion: value(TLS_VARIABLES.minVersion),
    cipherSuites: value(TLS_VARIABLES.cipherSuites),
    curvePreferences: numericCurveIds(text(TLS_VARIABLES.curvePreferences), TLS_VARIABLES.curvePreferences),
  };
}

export function parseEnvironment(env: Env): ParsedEnvironment {
  const serviceMonitors = flag(env, 'DEPLOY_SERVICEMONITORS');
  const podMonitors = flag(env, 'DEPLOY_PODMONITORS');
  if (serviceMonitors && podMonitors)
    throw new EnvironmentError(
      'DEPLOY_PODMONITORS',
      'DEPLOY_PODMONITORS and DEPLOY_SERVICEMONITORS cannot both be true',
    );
  const parsed: OperatorEnvironment = {
    namespace: required(env, 'OPERATOR_NAMESPACE'),
    controllerImage: image(env, 'CONTROLLER_IMAGE'),
    speakerImage: image(env, 'SPEAKER_IMAGE'),
    frrImage: image(env, 'FRR_IMAGE'),
    monitoring: serviceMonitors ? 'servicemonitors' : podMonitors ? 'podmonitors' : 'none',
    // Upstream's `os.Getenv("DISABLE_NETWORK_POLICIES") == "true"` (metallb-operator pkg/params/params.go).
    networkPolicies: !flag(env, 'DISABLE_NETWORK_POLICIES'),
    // Not upstream's METRICS_PORT, which moves the controller's and the speakers' port together: this one
    // moves the controller's alone, for clusters (and the e2e harness) where it shares a network namespace
    // with a host-network speaker.
    controllerMetricsPort: port(env, 'CONTROLLER_METRICS_PORT', CONTROLLER_METRICS_PORT),
    tls: tlsOptions(env),
  };
  const notApplied = Object.entries(NOT_APPLIED)
    .filter(([name]) => (env[name]?.trim() ?? '') !== '')
    .map(([name, reason]) => ({ name, reason }));
  return { env: parsed, notApplied };
}
