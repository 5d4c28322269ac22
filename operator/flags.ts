// The operator's command line, after upstream's metallb-operator main.go: --enable-leader-election (the CSV
// sets it), --metrics-addr ("0" turns metrics off, as upstream's default), --health-probe-bind-address for
// /healthz and /readyz (the CSV's readiness probe reads :8080/readyz), --log-level and --kubeconfig, and
// --webhook-port with --cert-dir for the MetalLB validating webhook (0, the default, serves none: its
// certificate comes from OLM, which the CSV's webhookdefinitions ask for). Pure: argv in, flags or an error out.
import { LOG_LEVELS, type LogLevel } from '../kube/log';

export interface OperatorFlags {
  readonly enableLeaderElection: boolean;
  /** undefined: no metrics endpoint. */
  readonly metricsAddr: { readonly host: string; readonly port: number } | undefined;
  readonly healthAddr: { readonly host: string; readonly port: number };
  readonly logLevel: LogLevel;
  readonly kubeconfig: string;
  /** 0: no webhook server. */
  readonly webhookPort: number;
  /** Where tls.crt and tls.key are (controller-runtime's default, where OLM mounts them). */
  readonly certDir: string;
}

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

const BOOLEANS = new Set(['enable-leader-election']);
const STRINGS = new Set([
  'metrics-addr',
  'health-probe-bind-address',
  'log-level',
  'kubeconfig',
  'webhook-port',
  'cert-dir',
]);

/** Go's `host:port` (host may be empty: every address). */
function address(flag: string, value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = colon < 0 ? '' : value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = colon < 0 ? value : value.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new FlagError(`--${flag}: ${JSON.stringify(value)} is not [host]:port`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function parseFlags(argv: readonly string[]): OperatorFlags {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (match === null) throw new FlagError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1] ?? '';
    let value = match[2];
    if (BOOLEANS.has(name)) {
      value ??= 'true';
      if (value !== 'true' && value !== 'false')
        throw new FlagError(`--${name}: ${JSON.stringify(value)} is not a boolean`);
    } else if (STRINGS.has(name)) {
      if (value === undefined) {
        value = argv[i + 1];
        i++;
        if (value === undefined) throw new FlagError(`--${name} needs a value`);
      }
    } else {
      throw new FlagError(`unknown flag --${name}`);
    }
    values.set(name, value);
  }
  const logLevel = values.get('log-level') ?? 'info';
  const level = LOG_LEVELS.find((l) => l === logLevel);
  if (level === undefined)
    throw new FlagError(`--log-level: ${JSON.stringify(logLevel)} is not one of ${LOG_LEVELS.join(', ')}`);
  const metrics = values.get('metrics-addr') ?? '0';
  const webhookPort = values.get('webhook-port') ?? '0';
  if (!/^\d+$/.test(webhookPort) || Number(webhookPort) > 65535)
    throw new FlagError(`--webhook-port: ${JSON.stringify(webhookPort)} is not a port`);
  return {
    enableLeaderElection: values.get('enable-leader-election') === 'true',
    metricsAddr: metrics === '0' ? undefined : address('metrics-addr', metrics),
    healthAddr: address('health-probe-bind-address', values.get('health-probe-bind-address') ?? ':8080'),
    logLevel: level,
    kubeconfig: values.get('kubeconfig') ?? '',
    webhookPort: Number(webhookPort),
    certDir: values.get('cert-dir') ?? '/tmp/k8s-webhook-server/serving-certs',
  };
}
