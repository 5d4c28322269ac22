// The controller's command line, after upstream controller/main.go: the same flag names and environment
// fallbacks, Go's flag syntax (-name, --name, --name=value, --name value; booleans take only the = form),
// plus the ports and knobs ironlb adds. Pure: argv and env in, options or an error out.
import { BGP_BACKENDS } from '../api/metallb';
import { parseDuration } from '../config/duration';
import type { BGPType } from '../config/modes';
import { FlagError, scanFlags, type FlagSpec } from '../kube/goflags';
import { LOG_LEVELS, LogLevel } from '../kube/log';
import { TLS_FLAG_SPECS, parseTlsFlags, type TlsServerSettings } from '../kube/tls/settings';
import type { FailurePolicy } from './webhooks/certmanager';

export type WebhookMode = 'enabled' | 'disabled' | 'onlywebhook';

export interface ControllerFlags {
  /** Metrics port (upstream --port); 0 disables metrics. */
  readonly port: number;
  readonly healthPort: number;
  readonly webhookPort: number;
  readonly namespace: string;
  readonly mlSecretName: string;
  readonly deployment: string;
  readonly logLevel: LogLevel;
  readonly disableCertRotation: boolean;
  readonly certDir: string;
  readonly certServiceName: string;
  readonly lbClass: string;
  readonly webhookMode: WebhookMode;
  readonly webhookSecret: string;
  readonly webhookFailurePolicy: FailurePolicy | undefined;
  readonly podName: string;
  readonly leaderElect: boolean;
  /** Leader election timing (ironlb's flags; upstream has none and uses controller-runtime's 15s/10s/2s). */
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly bgpType: BGPType;
  /** Metrics over HTTPS with TokenReview/SubjectAccessReview, as upstream; false serves plain HTTP. */
  readonly secureMetrics: boolean;
  readonly metricsCertDir: string;
  /** --tls-min-version, --tls-cipher-suites, --tls-curve-preferences for the webhook and metrics servers. */
  readonly tls: TlsServerSettings;
  /** controller-runtime's --kubeconfig: this file instead of $KUBECONFIG, ~/.kube/config or in-cluster. */
  readonly kubeconfig: string;
}

const SPECS: Record<string, FlagSpec> = {
  port: { kind: 'int', default: '9120' },
  'health-port': { kind: 'int', default: '17472' },
  'webhook-port': { kind: 'int', default: '9443' },
  namespace: { kind: 'string', default: '', env: 'METALLB_NAMESPACE' },
  'ml-secret-name': { kind: 'string', default: '', env: 'METALLB_ML_SECRET_NAME' },
  deployment: { kind: 'string', default: '', env: 'METALLB_DEPLOYMENT' },
  'log-level': { kind: 'string', default: 'info' },
  'disable-cert-rotation': { kind: 'bool', default: 'false' },
  'cert-dir': { kind: 'string', default: '/tmp/k8s-webhook-server/serving-certs' },
  'cert-service-name': { kind: 'string', default: 'metallb-webhook-service' },
  'lb-class': { kind: 'string', default: '' },
  'webhook-mode': { kind: 'string', default: 'enabled' },
  'webhook-secret': { kind: 'string', default: 'metallb-webhook-cert' },
  'webhook-failure-policy': { kind: 'string', default: '' },
  'pod-name': { kind: 'string', default: '', env: 'METALLB_POD_NAME' },
  'leader-elect': { kind: 'bool', default: 'true' },
  'lease-duration': { kind: 'duration', default: '15s' },
  'renew-deadline': { kind: 'duration', default: '10s' },
  'retry-period': { kind: 'duration', default: '2s' },
  'secure-metrics': { kind: 'bool', default: 'true' },
  'metrics-cert-dir': { kind: 'string', default: '' },
  kubeconfig: { kind: 'string', default: '' },
  ...TLS_FLAG_SPECS,
  // Accepted for compatibility with upstream manifests; not acted on.
  'pprof-bind-address': { kind: 'string', default: '' },
  'webhook-http2': { kind: 'bool', default: 'false' },
};

/** client-go's leaderelection JitterFactor: a retry may come this many retry periods late. */
const RETRY_JITTER = 1.2;

export { FlagError };

export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ControllerFlags {
  const values = scanFlags({ specs: SPECS }, argv, env);
  const str = (n: string): string => values.get(n) ?? '';
  const int = (n: string): number => {
    const v = Number(str(n));
    if (!Number.isInteger(v) || v < 0 || v > 65535)
      throw new FlagError(`invalid value ${JSON.stringify(str(n))} for flag -${n}`);
    return v;
  };
  const bool = (n: string): boolean => {
    const v = str(n).toLowerCase();
    if (['1', 't', 'true'].includes(v)) return true;
    if (['0', 'f', 'false'].includes(v)) return false;
    throw new FlagError(`invalid boolean value ${JSON.stringify(str(n))} for -${n}`);
  };
  const duration = (n: string): number => {
    const ms = parseDuration(str(n));
    if (ms === undefined || !(ms > 0))
      throw new FlagError(
        `invalid value ${JSON.stringify(str(n))} for flag -${n}: want a positive duration such as 15s`,
      );
    return ms;
  };
  const leaseDurationMs = duration('lease-duration');
  const renewDeadlineMs = duration('renew-deadline');
  const retryPeriodMs = duration('retry-period');
  // The leader must give up before a standby may take over, and retry at least once before giving up.
  // The factor is client-go's JitterFactor, which kube/leaderelection checks too.
  if (!(renewDeadlineMs < leaseDurationMs))
    throw new FlagError(
      `-renew-deadline (${str('renew-deadline')}) must be shorter than -lease-duration (${str('lease-duration')})`,
    );
  if (!(RETRY_JITTER * retryPeriodMs < renewDeadlineMs))
    throw new FlagError(
      `-retry-period (${str('retry-period')}) times ${RETRY_JITTER} must be shorter than -renew-deadline (${str('renew-deadline')})`,
    );
  const logLevel = LOG_LEVELS.find((l) => l === str('log-level'));
  if (!logLevel)
    throw new FlagError(
      `invalid log level ${JSON.stringify(str('log-level'))}, must be one of: ${LOG_LEVELS.join(', ')}`,
    );
  const mode = str('webhook-mode');
  if (mode !== 'enabled' && mode !== 'disabled' && mode !== 'onlywebhook')
    throw new FlagError(`invalid webhookmode value ${JSON.stringify(mode)}`);
  const policy = str('webhook-failure-policy');
  if (policy !== '' && policy !== 'Fail' && policy !== 'Ignore')
    throw new FlagError(`invalid webhook failure policy ${JSON.stringify(policy)}: Fail or Ignore`);
  const bgp = env.METALLB_BGP_TYPE ?? 'native';
  const bgpType = BGP_BACKENDS.find((b) => b === bgp);
  if (!bgpType) throw new FlagError(`invalid METALLB_BGP_TYPE ${JSON.stringify(bgp)}`);
  return {
    port: int('port'),
    healthPort: int('health-port'),
    webhookPort: int('webhook-port'),
    namespace: str('namespace'),
    mlSecretName: str('ml-secret-name'),
    deployment: str('deployment'),
    logLevel,
    disableCertRotation: bool('disable-cert-rotation'),
    certDir: str('cert-dir'),
    certServiceName: str('cert-service-name'),
    lbClass: str('lb-class'),
    webhookMode: mode,
    webhookSecret: str('webhook-secret'),
    webhookFailurePolicy: policy === '' ? undefined : policy,
    podName: str('pod-name'),
    leaderElect: bool('leader-elect'),
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    bgpType,
    secureMetrics: bool('secure-metrics'),
    metricsCertDir: str('metrics-cert-dir'),
    tls: parseTlsFlags(str),
    kubeconfig: str('kubeconfig'),
  };
}
