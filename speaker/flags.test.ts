import { FlagError, parseFlags } from './flags';

const NODE = { METALLB_NODE_NAME: 'worker-1' };

describe('parseFlags', () => {
  it('defaults as upstream: port 7472, metallb-system, memberlist port 7946, no lb class', () => {
    expect(parseFlags([], NODE)).toEqual({
      nodeName: 'worker-1',
      podName: '',
      host: '',
      port: 7472,
      namespace: 'metallb-system',
      logLevel: 'info',
      lbClass: '',
      ignoreExcludeLB: false,
      memberlist: undefined,
      excludeL2ConfigPath: '/etc/metallb/excludel2.yaml',
      gratuitousRefreshMs: 0,
      bgpShutdownWaitMs: 1000,
      metricsCertDir: '',
      tls: { minVersion: 'TLSv1.2' },
      bgpType: 'native',
      frr: undefined,
    });
  });
  it('takes upstream --metrics-cert-dir and the TLS flags for its HTTPS metrics', () => {
    const f = parseFlags(
      ['--metrics-cert-dir=/etc/metrics', '--tls-min-version=VersionTLS13', '--tls-curve-preferences=29'],
      NODE,
    );
    expect(f.metricsCertDir).toBe('/etc/metrics');
    expect(f.tls).toEqual({ minVersion: 'TLSv1.3', ecdhCurve: 'X25519' });
    expect(() => parseFlags(['--tls-cipher-suites=RC4'], NODE)).toThrow(
      /^--tls-cipher-suites: unknown or unsupported cipher suite "RC4"/,
    );
  });
  it('needs the node name, from --node-name or METALLB_NODE_NAME', () => {
    expect(() => parseFlags([], {})).toThrow('must specify --node-name or METALLB_NODE_NAME');
    expect(parseFlags(['--node-name=n2'], NODE).nodeName).toBe('n2');
  });
  it('reads every environment fallback, flags winning', () => {
    const env = {
      ...NODE,
      METALLB_POD_NAME: 'speaker-abc',
      METALLB_HOST: '127.0.0.1',
      METALLB_NAMESPACE: 'lb',
      METALLB_ML_BIND_ADDR: '192.0.2.10',
      METALLB_ML_BIND_PORT: '7000',
      METALLB_ML_LABELS: 'app=metallb,component=speaker',
      METALLB_ML_SECRET_KEY_PATH: '/etc/ml_secret_key',
      METALLB_ML_SECRET_KEY: 'c2VjcmV0',
    };
    const f = parseFlags(['-ml-bindport', '7001'], env);
    expect(f).toMatchObject({ podName: 'speaker-abc', host: '127.0.0.1', namespace: 'lb' });
    expect(f.memberlist).toEqual({
      bindAddr: '192.0.2.10',
      bindPort: 7001,
      labels: 'app=metallb,component=speaker',
      namespace: 'lb',
      secretKeyPath: '/etc/ml_secret_key',
      secretKey: 'c2VjcmV0',
    });
    expect(parseFlags(['--ml-namespace=speakers'], env).memberlist?.namespace).toBe('speakers');
  });
  it('enables memberlist only with both a bind address and labels, as upstream', () => {
    expect(parseFlags(['--ml-bindaddr=192.0.2.10'], NODE).memberlist).toBeUndefined();
    expect(parseFlags(['--ml-labels=app=metallb'], NODE).memberlist).toBeUndefined();
  });
  it('accepts Go flag syntax; booleans take only the = form', () => {
    const f = parseFlags(
      ['-lb-class', 'ironlb', '--port=0', '--ignore-exclude-lb', '--log-level=debug'],
      NODE,
    );
    expect(f).toMatchObject({ lbClass: 'ironlb', port: 0, ignoreExcludeLB: true, logLevel: 'debug' });
    expect(parseFlags(['--ignore-exclude-lb=false'], NODE).ignoreExcludeLB).toBe(false);
    expect(() => parseFlags(['--ignore-exclude-lb=maybe'], NODE)).toThrow('invalid boolean');
    expect(() => parseFlags(['--lb-class'], NODE)).toThrow('flag needs an argument');
    expect(() => parseFlags(['stray'], NODE)).toThrow('unexpected argument');
  });
  it('parses --bgp-shutdown-wait as a Go duration, 0 for none', () => {
    expect(parseFlags(['--bgp-shutdown-wait=500ms'], NODE).bgpShutdownWaitMs).toBe(500);
    expect(parseFlags(['--bgp-shutdown-wait=0'], NODE).bgpShutdownWaitMs).toBe(0);
    expect(() => parseFlags(['--bgp-shutdown-wait=later'], NODE)).toThrow(FlagError);
  });
  it('parses --gratuitous-refresh as a Go duration, refusing floods and garbage', () => {
    expect(parseFlags(['--gratuitous-refresh=1m30s'], NODE).gratuitousRefreshMs).toBe(90_000);
    expect(parseFlags(['--gratuitous-refresh=0'], NODE).gratuitousRefreshMs).toBe(0);
    expect(() => parseFlags(['--gratuitous-refresh=100ms'], NODE)).toThrow('below 1s');
    expect(() => parseFlags(['--gratuitous-refresh=soon'], NODE)).toThrow(FlagError);
  });
  it('refuses unknown flags and the upstream flags ironlb does not implement, saying why', () => {
    expect(() => parseFlags(['--nope'], NODE)).toThrow('flag provided but not defined: -nope');
    expect(() => parseFlags(['--ml-wan-config'], NODE)).toThrow('not supported by ironlb');
    expect(() => parseFlags(['--enable-pprof=true'], NODE)).toThrow('not supported by ironlb');
  });
  it('refuses bad ports, log levels and the frr-k8s BGP modes', () => {
    expect(() => parseFlags(['--port=70000'], NODE)).toThrow('invalid value');
    expect(() => parseFlags(['--ml-bindport=x'], NODE)).toThrow('invalid value');
    expect(() => parseFlags(['--log-level=loud'], NODE)).toThrow('invalid log level');
    expect(() => parseFlags([], { ...NODE, METALLB_BGP_TYPE: 'frr-k8s' })).toThrow('not supported');
    expect(() => parseFlags([], { ...NODE, METALLB_BGP_TYPE: 'frr-k8s-external' })).toThrow('not supported');
  });
  it('runs native BGP unless METALLB_BGP_TYPE says frr', () => {
    expect(parseFlags([], NODE)).toMatchObject({ bgpType: 'native', frr: undefined });
    expect(parseFlags([], { ...NODE, METALLB_BGP_TYPE: 'native' }).bgpType).toBe('native');
  });
  it('in frr mode reads the reloader paths from upstream variables, the vty paths from its own', () => {
    expect(parseFlags([], { ...NODE, METALLB_BGP_TYPE: 'frr' })).toMatchObject({
      bgpType: 'frr',
      frr: {
        configFile: '/etc/frr_reloader/frr.conf',
        reloaderPidFile: '/etc/frr_reloader/reloader.pid',
        vtysh: 'vtysh',
        vtySocketDir: '/var/run/frr',
        logLevel: undefined,
        debounceMs: 3000,
      },
    });
    const env = {
      ...NODE,
      METALLB_BGP_TYPE: 'frr',
      FRR_CONFIG_FILE: '/tmp/r/frr.conf',
      FRR_RELOADER_PID_FILE: '/tmp/r/pid',
      FRR_VTYSH: '/usr/bin/vtysh',
      FRR_VTY_SOCKET_DIR: '/tmp/run',
      FRR_LOGGING_LEVEL: 'debugging',
      METALLB_BGP_DEBOUNCE_TIMEOUT: '500',
    };
    expect(parseFlags([], env).frr).toEqual({
      configFile: '/tmp/r/frr.conf',
      reloaderPidFile: '/tmp/r/pid',
      vtysh: '/usr/bin/vtysh',
      vtySocketDir: '/tmp/run',
      logLevel: 'debugging',
      debounceMs: 500,
    });
    expect(parseFlags(['--bgp-debounce-timeout=250'], env).frr?.debounceMs).toBe(250);
  });
  it('refuses a debounce of 0 and an FRR_LOGGING_LEVEL FRR does not know, naming them', () => {
    const frr = { ...NODE, METALLB_BGP_TYPE: 'frr' };
    expect(() => parseFlags(['--bgp-debounce-timeout=0'], frr)).toThrow('-bgp-debounce-timeout');
    expect(() => parseFlags([], { ...frr, FRR_LOGGING_LEVEL: 'loud' })).toThrow(
      'invalid FRR_LOGGING_LEVEL "loud"',
    );
  });
});
