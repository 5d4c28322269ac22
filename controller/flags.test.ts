import { FlagError, parseFlags } from './flags';

describe('parseFlags', () => {
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
  it('takes --kubeconfig, empty by default (then $KUBECONFIG, ~/.kube/config, in-cluster)', () => {
    expect(parseFlags([], {}).kubeconfig).toBe('');
    expect(parseFlags(['--kubeconfig', '/etc/k.yaml'], {}).kubeconfig).toBe('/etc/k.yaml');
  });
  it('takes METALLB_BGP_TYPE for mode validation', () => {
    expect(parseFlags([], { METALLB_BGP_TYPE: 'frr-k8s' }).bgpType).toBe('frr-k8s');
    expect(() => parseFlags([], { METALLB_BGP_TYPE: 'quagga' })).toThrow(FlagError);
  });
});
