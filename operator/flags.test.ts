import { FlagError, parseFlags } from './flags';

describe('parseFlags', () => {
  test('defaults: no leader election, no metrics, probes on :8080, info', () => {
    expect(parseFlags([])).toEqual({
      enableLeaderElection: false,
      metricsAddr: undefined,
      healthAddr: { host: '0.0.0.0', port: 8080 },
      logLevel: 'info',
      kubeconfig: '',
      webhookPort: 0,
      certDir: '/tmp/k8s-webhook-server/serving-certs',
    });
  });

  test("the CSV's --enable-leader-election, and =false", () => {
    expect(parseFlags(['--enable-leader-election']).enableLeaderElection).toBe(true);
    expect(parseFlags(['--enable-leader-election=false']).enableLeaderElection).toBe(false);
  });

  test('--metrics-addr takes host:port, or a bare :port for every address', () => {
    expect(parseFlags(['--metrics-addr', '127.0.0.1:8383']).metricsAddr).toEqual({
      host: '127.0.0.1',
      port: 8383,
    });
    expect(parseFlags(['--metrics-addr=:8383']).metricsAddr).toEqual({ host: '0.0.0.0', port: 8383 });
  });

  test('an unknown flag is refused, naming it', () => {
    expect(() => parseFlags(['--webhook-http2'])).toThrow(new FlagError('unknown flag --webhook-http2'));
  });

  test('--webhook-port turns the webhook on, with --cert-dir', () => {
    expect(parseFlags(['--webhook-port=9443', '--cert-dir', '/certs'])).toMatchObject({
      webhookPort: 9443,
      certDir: '/certs',
    });
    expect(() => parseFlags(['--webhook-port=99999'])).toThrow('--webhook-port: "99999" is not a port');
  });

  test('a bad log level or address is refused', () => {
    expect(() => parseFlags(['--log-level=loud'])).toThrow(FlagError);
    expect(() => parseFlags(['--health-probe-bind-address=:http'])).toThrow(
      '--health-probe-bind-address: ":http" is not [host]:port',
    );
  });
});
