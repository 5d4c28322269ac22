import { EnvironmentError, parseEnvironment } from './env';

const BASE = {
  OPERATOR_NAMESPACE: 'metallb-system',
  CONTROLLER_IMAGE: 'quay.io/ironlb/ironlb-controller:v0.1.0',
  SPEAKER_IMAGE: 'quay.io/ironlb/ironlb-speaker:v0.1.0',
  FRR_IMAGE: 'quay.io/frrouting/frr:9.1.0',
};

describe('parseEnvironment', () => {
  test('reads the namespace and the three images, without monitors and with NetworkPolicies by default', () => {
    expect(parseEnvironment(BASE)).toEqual({
      env: {
        namespace: 'metallb-system',
        controllerImage: BASE.CONTROLLER_IMAGE,
        speakerImage: BASE.SPEAKER_IMAGE,
        frrImage: BASE.FRR_IMAGE,
        monitoring: 'none',
        networkPolicies: true,
        controllerMetricsPort: 7472,
        tls: { minVersion: undefined, cipherSuites: undefined, curvePreferences: undefined },
      },
      notApplied: [],
    });
  });

  test('the TLS variables are passed on as the operands take them, unset ones unset', () => {
    expect(
      parseEnvironment({
        ...BASE,
        TLS_MIN_VERSION: 'VersionTLS13',
        TLS_CIPHER_SUITES: 'TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      }).env.tls,
    ).toEqual({
      minVersion: 'VersionTLS13',
      cipherSuites: 'TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      curvePreferences: undefined,
    });
  });

  test('TLS_CURVE_PREFERENCES names become the numeric CurveIDs upstream operands take', () => {
    expect(
      parseEnvironment({ ...BASE, TLS_CURVE_PREFERENCES: 'X25519, secp256r1,24' }).env.tls?.curvePreferences,
    ).toBe('29,23,24');
  });

  test.each([
    [
      'TLS_MIN_VERSION',
      'TLSv1.3',
      'unknown TLS version "TLSv1.3": one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13',
    ],
    [
      'TLS_CIPHER_SUITES',
      'AES128-SHA',
      'unknown or unsupported cipher suite "AES128-SHA" (IANA names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)',
    ],
    [
      'TLS_CURVE_PREFERENCES',
      'X448',
      'unknown curve preference "X448" (23 secp256r1, 24 secp384r1, 25 secp521r1, 29 X25519)',
    ],
  ])('%s=%s is refused, naming the variable', (name, value, reason) => {
    expect(() => parseEnvironment({ ...BASE, [name]: value })).toThrow(new EnvironmentError(name, reason));
  });

  test("CONTROLLER_METRICS_PORT moves the controller's metrics port alone", () => {
    expect(parseEnvironment({ ...BASE, CONTROLLER_METRICS_PORT: '7473' }).env.controllerMetricsPort).toBe(
      7473,
    );
  });

  test.each(['0', '65536', '74x', '-1'])(
    'CONTROLLER_METRICS_PORT=%s is refused, naming the variable',
    (v) => {
      expect(() => parseEnvironment({ ...BASE, CONTROLLER_METRICS_PORT: v })).toThrow(
        new EnvironmentError('CONTROLLER_METRICS_PORT', `${JSON.stringify(v)} is not a port (1-65535)`),
      );
    },
  );

  test.each(['OPERATOR_NAMESPACE', 'CONTROLLER_IMAGE', 'SPEAKER_IMAGE', 'FRR_IMAGE'])(
    '%s is required',
    (name) => {
      expect(() => parseEnvironment({ ...BASE, [name]: '' })).toThrow(
        new EnvironmentError(name, 'is required'),
      );
    },
  );

  test('an image with a registry port and a digest is accepted', () => {
    const image = 'registry.example:5000/ironlb/speaker@sha256:' + 'a'.repeat(64);
    expect(parseEnvironment({ ...BASE, SPEAKER_IMAGE: image }).env.speakerImage).toBe(image);
  });

  test('an image with a space is refused, naming the variable', () => {
    expect(() => parseEnvironment({ ...BASE, CONTROLLER_IMAGE: 'quay.io/a b' })).toThrow(
      'environment variable CONTROLLER_IMAGE: "quay.io/a b" is not an image reference',
    );
  });

  test('DEPLOY_SERVICEMONITORS=true deploys ServiceMonitors', () => {
    expect(parseEnvironment({ ...BASE, DEPLOY_SERVICEMONITORS: 'true' }).env.monitoring).toBe(
      'servicemonitors',
    );
  });

  test('DEPLOY_PODMONITORS=true deploys PodMonitors', () => {
    expect(parseEnvironment({ ...BASE, DEPLOY_PODMONITORS: 'true' }).env.monitoring).toBe('podmonitors');
  });

  test('both monitor kinds at once are refused, as upstream refuses them', () => {
    expect(() =>
      parseEnvironment({ ...BASE, DEPLOY_PODMONITORS: 'true', DEPLOY_SERVICEMONITORS: 'true' }),
    ).toThrow(EnvironmentError);
  });

  test('DISABLE_NETWORK_POLICIES=true renders no NetworkPolicies, and is no longer reported as not applied', () => {
    const parsed = parseEnvironment({ ...BASE, DISABLE_NETWORK_POLICIES: 'true' });
    expect(parsed.env.networkPolicies).toBe(false);
    expect(parsed.notApplied).toEqual([]);
    expect(parseEnvironment({ ...BASE, DISABLE_NETWORK_POLICIES: 'false' }).env.networkPolicies).toBe(true);
  });

  test('a flag that is neither true nor false is refused', () => {
    expect(() => parseEnvironment({ ...BASE, DEPLOY_PODMONITORS: 'yes' })).toThrow(
      'environment variable DEPLOY_PODMONITORS: "yes" is neither "true" nor "false"',
    );
  });

  test('variables of the contract that ironlb does not apply are reported, not dropped', () => {
    expect(
      parseEnvironment({ ...BASE, METRICS_PORT: '9120', FRRK8S_IMAGE: 'x' }).notApplied.map((n) => n.name),
    ).toEqual(['METRICS_PORT', 'FRRK8S_IMAGE']);
  });
});
