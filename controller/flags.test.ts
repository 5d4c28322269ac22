import { FlagError, parseFlags } from './flags';

describe('parseFlags', () => {
  it('takes the TLS flags upstream renders, as Node server options; TLS 1.2 and up when unset', () => {
    expect(parseFlags([], {}).tls).toEqual({ minVersion: 'TLSv1.2' });
    expect(
      parseFlags(
        [
          '--tls-min-version=VersionTLS13',
          '--tls-cipher-suites=TLS_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          '--tls-curve-preferences=29,23',
        ],
        {},
      ).tls,
    ).toEqual({
      minVersion: 'TLSv1.3',
      ciphers: 'TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256',
      ecdhCurve: 'X25519:P-256',
    });
  });
  it('refuses a TLS value it cannot honour, naming the flag', () => {
    expect(() => parseFlags(['--tls-curve-preferences=X448'], {})).toThrow(
      /^--tls-curve-preferences: unknown curve preference "X448"/,
    );
  });
  it('defaults as upstream: metrics 9120, webhooks enabled, no lb class, native BGP', () => {
    const f = parseFlags([], {});
    expect(f).toMatchObject({
      port: 9120,
      healthPort: 17472,
      webhookPort: 9443,
      webhookMode: 'enabled',
      lbClass: '',
      bgpType: 'native',
      leaderElect: true,
    });
  });
  it('reads the namespace and pod name from the environment, flags winning', () => {
    expect(parseFlags([], { METALLB_NAMESPACE: 'mlb', METALLB_POD_NAME: 'p' })).toMatchObject({
      namespace: 'mlb',
      podName: 'p',
    });
    expect(parseFlags(['--namespace=other'], { METALLB_NAMESPACE: 'mlb' }).namespace).toBe('other');
  });
  it('accepts Go flag syntax', () => {
    const f = parseFlags(
      ['-lb-class', 'ironlb', '--port=0', '--disable-cert-rotation', '--leader-elect=false'],
      {},
    );
    expect(f).toMatchObject({ lbClass: 'ironlb', port: 0, disableCertRotation: true, leaderElect: false });
  });
  it('refuses unknown flags, bad modes and bad policies', () => {
    expect(() => parseFlags(['--nope'], {})).toThrow(FlagError);
    expect(() => parseFlags(['--webhook-mode=sometimes'], {})).toThrow('invalid webhookmode value');
    expect(() => parseFlags(['--webhook-failure-policy=Maybe'], {})).toThrow(FlagError);
    expect(() => parseFlags(['--log-level=loud'], {})).toThrow('invalid log level');
  });
  it('leader election timing defaults to 15s lease, 10s renew deadline, 2s retry period', () => {
    expect(parseFlags([], {})).toMatchObject({
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
  });
  it('reads leader election timing in Go duration syntax', () => {
    const f = parseFlags(['--lease-duration=4s', '-renew-deadline', '2500ms', '--retry-period=0.5s'], {});
    expect(f).toMatchObject({ leaseDurationMs: 4_000, renewDeadlineMs: 2_500, retryPeriodMs: 500 });
    expect(parseFlags(['--lease-duration=1m30s', '--renew-deadline=1m'], {}).leaseDurationMs).toBe(90_000);
  });
  it('refuses durations that are not positive Go durations', () => {
    expect(() => parseFlags(['--lease-duration=15'], {})).toThrow(
      'invalid value "15" for flag -lease-duration',
    );
    expect(() => parseFlags(['--retry-period=0s'], {})).toThrow(FlagError);
    expect(() => parseFlags(['--renew-deadline=-1s'], {})).toThrow(FlagError);
    expect(() => parseFlags(['--retry-period='], {})).toThrow(FlagError);
  });
  it('refuses a renew deadline not shorter than the lease, and a retry period not shorter than the deadline', () => {
    expect(() => parseFlags(['--renew-deadline=15s'], {})).toThrow(
      '-renew-deadline (15s) must be shorter than -lease-duration (15s)',
    );
    expect(() => parseFlags(['--lease-duration=5s', '--renew-deadline=6s'], {})).toThrow(FlagError);
    expect(() => parseFlags(['--retry-period=10s'], {})).toThrow('-retry-period (10s) times 1.2');
    // client-go's jitter: a retry may come 1.2 periods late, so 9s against a 10s deadline is too long.
    expect(() => parseFlags(['--retry-period=9s'], {})).toThrow(FlagError);
    expect(parseFlags(['--retry-period=8s'], {}).retryPeriodMs).toBe(8_000);
  });
  it('takes --kubeconfig, empty by default (then $KUBECONFIG, ~/.kube/config, in-cluster)', () => {
    expect(parseFlags([], {}).kubeconfig).toBe('');
    expect(parseFlags(['--kubeconfig', '/etc/k.yaml'], {}).kubeconfig).toBe('/etc/k.yaml');
  });
  it('takes METALLB_BGP_TYPE for mode validation', () => {
    expect(parseFlags([], { METALLB_BGP_TYPE: 'frr-k8s' }).bgpType).toBe('frr-k8s');
    expect(() => parseFlags([], { METALLB_BGP_TYPE: 'quagga' })).toThrow(FlagError);
  });
});
