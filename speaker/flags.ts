// The speaker's command line, after upstream speaker/main.go: the same flag names and environment fallbacks,
// Go's flag syntax (-name, --name, --name=value, --name value; booleans take only the = form), plus the knobs
// ironlb adds (--gratuitous-refresh, --exclude-l2-config). A flag ironlb does not implement is an error, so a
// manifest written for another build never runs with a setting silently dropped. Pure: argv and env in,
// options or an error out.
import { parseDuration } from '../config/duration';
import { FlagError, scanFlags, type FlagSpec } from '../kube/goflags';
import { LOG_LEVELS, LogLevel } from '../kube/log';
import { DEFAULT_CONFIG_FILE, DEFAULT_PID_FILE } from './frr/reload';
import { FRR_LEVEL_NAMES, type FrrLogLevel } from './frr/render';
import { TLS_FLAG_SPECS, parseTlsFlags, type TlsServerSettings } from '../kube/tls/settings';

export interface SpeakerFlags {
  /** spec.nodeName of the Node this speaker runs on; the memberlist member name too. */
  readonly nodeName: string;
  /** This speaker's Pod, owner of its ServiceL2Status and ConfigurationState objects. */
  readonly podName: string;
  /** Where metrics and probes listen ('' for every address). */
  readonly host: string;
  /** Metrics, /healthz and /readyz; 0 serves none. */
  readonly port: number;
  readonly namespace: string;
  readonly logLevel: LogLevel;
  readonly lbClass: string;
  readonly ignoreExcludeLB: boolean;
  readonly memberlist: MemberlistFlags | undefined;
  /** The upstream excludel2 ConfigMap file (announcedInterfacesToExclude); absent file means none excluded. */
  readonly excludeL2ConfigPath: string;
  /** Re-announce every held address this often, in ms; 0 never (upstream). */
  readonly gratuitousRefreshMs: number;
  /**
   * On SIGTERM, how long BGP routes are re-announced with GRACEFUL_SHUTDOWN (RFC 8326) before the Cease, in
   * ms; 0 closes at once. Within the DaemonSet's 2 s termination grace, beside membership's 1 s leave.
   */
  readonly bgpShutdownWaitMs: number;
  /**
   * Holds tls.crt and tls.key (upstream --metrics-cert-dir; the service CA's Secret on OpenShift): the --port
   * server then speaks HTTPS and /metrics wants an authorized bearer token; '' serves plain HTTP.
   */
  readonly metricsCertDir: string;
  /** --tls-min-version, --tls-cipher-suites, --tls-curve-preferences of that HTTPS server. */
  readonly tls: TlsServerSettings;
  /** METALLB_BGP_TYPE: ironlb's own BGP and BFD sessions, or frr.conf handed to the FRR sidecars. */
  readonly bgpType: SpeakerBGPType;
  /** Set in FRR mode only. */
  readonly frr: FrrFlags | undefined;
}

export type SpeakerBGPType = 'native' | 'frr';

/** Where the FRR sidecars are reached (environment only, as upstream's internal/bgp/frr reads them). */
export interface FrrFlags {
  /** FRR_CONFIG_FILE: the frr.conf the reloader sidecar reads. */
  readonly configFile: string;
  /** FRR_RELOADER_PID_FILE: the reloader's pid, signalled with SIGHUP after each write. */
  readonly reloaderPidFile: string;
  /** FRR_VTYSH: the vtysh binary the session state is read with. */
  readonly vtysh: string;
  /** FRR_VTY_SOCKET_DIR: the daemons' vty sockets (the frr-sockets volume). */
  readonly vtySocketDir: string;
  /** FRR_LOGGING_LEVEL: FRR's own level name for frr.conf's `log stdout`, over --log-level's. */
  readonly logLevel: FrrLogLevel | undefined;
  /** --bgp-debounce-timeout / METALLB_BGP_DEBOUNCE_TIMEOUT: how long changes gather before a reload, in ms. */
  readonly debounceMs: number;
}

/** Set only when both --ml-bindaddr and --ml-labels are (upstream's speakerlist.New enables on that). */
export interface MemberlistFlags {
  readonly bindAddr: string;
  readonly bindPort: number;
  /** A label selector for the speaker Pods, e.g. app=metallb,component=speaker. */
  readonly labels: string;
  /** Where the speaker Pods run; defaults to --namespace. */
  readonly namespace: string;
  /** Directory holding the `secretkey` file (upstream --ml-secret-key-path), '' for none. */
  readonly secretKeyPath: string;
  /** The key itself from METALLB_ML_SECRET_KEY (a secretKeyRef), '' for none; wins over the path. */
  readonly secretKey: string;
}

const SPECS: Record<string, FlagSpec> = {
  'node-name': { kind: 'string', default: '', env: 'METALLB_NODE_NAME' },
  'pod-name': { kind: 'string', default: '', env: 'METALLB_POD_NAME' },
  host: { kind: 'string', default: '', env: 'METALLB_HOST' },
  port: { kind: 'int', default: '7472' },
  namespace: { kind: 'string', default: 'metallb-system', env: 'METALLB_NAMESPACE' },
  'log-level': { kind: 'string', default: 'info' },
  'lb-class': { kind: 'string', default: '' },
  'ignore-exclude-lb': { kind: 'bool', default: 'false' },
  'ml-bindaddr': { kind: 'string', default: '', env: 'METALLB_ML_BIND_ADDR' },
  'ml-bindport': { kind: 'int', default: '7946', env: 'METALLB_ML_BIND_PORT' },
  'ml-labels': { kind: 'string', default: '', env: 'METALLB_ML_LABELS' },
  'ml-namespace': { kind: 'string', default: '', env: 'METALLB_ML_NAMESPACE' },
  'ml-secret-key-path': { kind: 'string', default: '', env: 'METALLB_ML_SECRET_KEY_PATH' },
  'exclude-l2-config': { kind: 'string', default: '/etc/metallb/excludel2.yaml' },
  'gratuitous-refresh': { kind: 'string', default: '0s' },
  'bgp-shutdown-wait': { kind: 'string', default: '1s' },
  'metrics-cert-dir': { kind: 'string', default: '' },
  // Upstream speaker/main.go: milliseconds, FRR mode's reload debounce.
  'bgp-debounce-timeout': { kind: 'int', default: '3000', env: 'METALLB_BGP_DEBOUNCE_TIMEOUT' },
  ...TLS_FLAG_SPECS,
};

/** Upstream flags ironlb's speaker refuses, and why: the message a person reads. */
const UNSUPPORTED: Record<string, string> = {
  'ml-wan-config': 'ironlb membership has no WAN profile; tune it with its own settings',
  'enable-pprof': 'Node has no pprof; use --inspect on a debug build',
  'disable-epslices': 'EndpointSlices are always used (Endpoints are deprecated)',
  'frrk8s-namespace': 'the frr-k8s BGP modes do not exist in ironlb (native and frr do)',
};

export { FlagError };

export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SpeakerFlags {
  const values = scanFlags({ specs: SPECS, unsupported: UNSUPPORTED }, argv, env);
  const str = (n: string): string => values.get(n) ?? '';
  const port = (n: string): number => {
    const v = Number(str(n));
    if (str(n) === '' || !Number.isInteger(v) || v < 0 || v > 65535)
      throw new FlagError(`invalid value ${JSON.stringify(str(n))} for flag -${n}: a port 0-65535`);
    return v;
  };
  const bool = (n: string): boolean => {
    const v = str(n).toLowerCase();
    if (['1', 't', 'true'].includes(v)) return true;
    if (['0', 'f', 'false'].includes(v)) return false;
    throw new FlagError(`invalid boolean value ${JSON.stringify(str(n))} for -${n}`);
  };

  const nodeName = str('node-name');
  if (nodeName === '') throw new FlagError('must specify --node-name or METALLB_NODE_NAME');
  const logLevel = LOG_LEVELS.find((l) => l === str('log-level'));
  if (!logLevel)
    throw new FlagError(
      `invalid log level ${JSON.stringify(str('log-level'))}, must be one of: ${LOG_LEVELS.join(', ')}`,
    );
  // Upstream speaker/main.go: unset means native; frr-k8s and frr-k8s-external need frr-k8s, absent here.
  const bgp = env.METALLB_BGP_TYPE ?? 'native';
  if (bgp !== 'native' && bgp !== 'frr')
    throw new FlagError(
      `METALLB_BGP_TYPE ${JSON.stringify(bgp)} is not supported: ironlb's speaker runs native or frr`,
    );
  const debounceMs = Number(str('bgp-debounce-timeout'));
  if (!Number.isInteger(debounceMs) || debounceMs <= 0)
    throw new FlagError(
      `invalid value ${JSON.stringify(str('bgp-debounce-timeout'))} for flag -bgp-debounce-timeout: milliseconds above 0`,
    );
  const frrLevel = env.FRR_LOGGING_LEVEL ?? '';
  const frrLogLevel = FRR_LEVEL_NAMES.find((l) => l === frrLevel);
  if (frrLevel !== '' && frrLogLevel === undefined)
    throw new FlagError(
      `invalid FRR_LOGGING_LEVEL ${JSON.stringify(frrLevel)}, must be one of: ${FRR_LEVEL_NAMES.join(', ')}`,
    );
  const frr: FrrFlags | undefined =
    bgp === 'frr'
      ? {
          configFile: env.FRR_CONFIG_FILE || DEFAULT_CONFIG_FILE,
          reloaderPidFile: env.FRR_RELOADER_PID_FILE || DEFAULT_PID_FILE,
          vtysh: env.FRR_VTYSH || 'vtysh',
          vtySocketDir: env.FRR_VTY_SOCKET_DIR || '/var/run/frr',
          logLevel: frrLogLevel,
          debounceMs,
        }
      : undefined;
  const refresh = parseDuration(str('gratuitous-refresh'));
  if (refresh === undefined || refresh < 0)
    throw new FlagError(
      `invalid value ${JSON.stringify(str('gratuitous-refresh'))} for flag -gratuitous-refresh: a duration such as 30s`,
    );
  if (refresh > 0 && refresh < 1000)
    throw new FlagError('-gratuitous-refresh below 1s would flood the segment; use 0 to disable it');

  const shutdownWait = parseDuration(str('bgp-shutdown-wait'));
  if (shutdownWait === undefined || shutdownWait < 0)
    throw new FlagError(
      `invalid value ${JSON.stringify(str('bgp-shutdown-wait'))} for flag -bgp-shutdown-wait: a duration such as 1s`,
    );

  const namespace = str('namespace');
  const bindAddr = str('ml-bindaddr');
  const labels = str('ml-labels');
  const bindPort = port('ml-bindport');
  const memberlist: MemberlistFlags | undefined =
    bindAddr !== '' && labels !== ''
      ? {
          bindAddr,
          bindPort,
          labels,
          namespace: str('ml-namespace') || namespace,
          secretKeyPath: str('ml-secret-key-path'),
          secretKey: env.METALLB_ML_SECRET_KEY ?? '',
        }
      : undefined;
  return {
    nodeName,
    podName: str('pod-name'),
    host: str('host'),
    port: port('port'),
    namespace,
    logLevel,
    lbClass: str('lb-class'),
    ignoreExcludeLB: bool('ignore-exclude-lb'),
    memberlist,
    excludeL2ConfigPath: str('exclude-l2-config'),
    gratuitousRefreshMs: refresh,
    bgpShutdownWaitMs: shutdownWait,
    metricsCertDir: str('metrics-cert-dir'),
    tls: parseTlsFlags(str),
    bgpType: bgp,
    frr,
  };
}
