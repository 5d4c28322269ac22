import { TlsProfileError, tlsOptionsFromApiServer } from './tlsprofile';

const apiServer = (tlsSecurityProfile?: unknown) => ({
  apiVersion: 'config.openshift.io/v1',
  kind: 'APIServer',
  metadata: { name: 'cluster' },
  spec: tlsSecurityProfile === undefined ? {} : { tlsSecurityProfile },
});

const INTERMEDIATE_IANA = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
].join(',');

describe('the OpenShift TLS security profile as operand TLS settings', () => {
  test('no profile is Intermediate: TLS 1.2, its suites in IANA names', () => {
    expect(tlsOptionsFromApiServer(apiServer(), undefined)).toEqual({
      minVersion: 'VersionTLS12',
      cipherSuites: INTERMEDIATE_IANA,
      curvePreferences: undefined,
    });
    expect(tlsOptionsFromApiServer(apiServer({ type: 'Intermediate', intermediate: {} }), '29')).toEqual({
      minVersion: 'VersionTLS12',
      cipherSuites: INTERMEDIATE_IANA,
      curvePreferences: '29',
    });
  });

  test('Modern is TLS 1.3 with the three TLS 1.3 suites', () => {
    expect(tlsOptionsFromApiServer(apiServer({ type: 'Modern', modern: {} }), undefined)).toEqual({
      minVersion: 'VersionTLS13',
      cipherSuites: 'TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256',
      curvePreferences: undefined,
    });
  });

  test('Old is TLS 1.0 and leaves out the suites the operands cannot serve (3DES, AES-SHA384/256 CBC)', () => {
    const old = tlsOptionsFromApiServer(apiServer({ type: 'Old', old: {} }), undefined);
    expect(old.minVersion).toBe('VersionTLS10');
    const suites = old.cipherSuites?.split(',') ?? [];
    expect(suites).toContain('TLS_RSA_WITH_AES_128_CBC_SHA');
    expect(suites).toContain('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256');
    expect(suites.some((s) => s.includes('3DES') || (s.includes('SHA384') && s.includes('CBC')))).toBe(false);
    expect(suites).toHaveLength(20);
  });

  test('Custom takes its ciphers and minimum version', () => {
    expect(
      tlsOptionsFromApiServer(
        apiServer({
          type: 'Custom',
          custom: {
            ciphers: ['ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256'],
            minTLSVersion: 'VersionTLS12',
          },
        }),
        undefined,
      ),
    ).toEqual({
      minVersion: 'VersionTLS12',
      cipherSuites: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      curvePreferences: undefined,
    });
  });

  test('an unknown type, or Custom without a minimum version, is an error naming the field', () => {
    expect(() => tlsOptionsFromApiServer(apiServer({ type: 'Paranoid' }), undefined)).toThrow(
      'apiservers.config.openshift.io/cluster spec.tlsSecurityProfile.type "Paranoid": one of Old, Intermediate, Modern, Custom',
    );
    expect(() => tlsOptionsFromApiServer(apiServer({ type: 'Custom', custom: {} }), undefined)).toThrow(
      TlsProfileError,
    );
    expect(() =>
      tlsOptionsFromApiServer(
        apiServer({ type: 'Custom', custom: { minTLSVersion: 'VersionTLS14' } }),
        undefined,
      ),
    ).toThrow(
      'apiservers.config.openshift.io/cluster spec.tlsSecurityProfile.custom.minTLSVersion: unknown TLS version "VersionTLS14"',
    );
    expect(() => tlsOptionsFromApiServer(apiServer({ type: 7 }), undefined)).toThrow(TlsProfileError);
  });
});
