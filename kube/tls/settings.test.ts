import { FlagError } from '../goflags';
import {
  TlsSettingError,
  opensslCiphers,
  opensslCurves,
  numericCurveIds,
  parseCurve,
  CURVES,
  parseTlsFlags,
  parseTlsMinVersion,
  tlsServerSettings,
} from './settings';

const ENV_NAMES = {
  minVersion: 'TLS_MIN_VERSION',
  cipherSuites: 'TLS_CIPHER_SUITES',
  curvePreferences: 'TLS_CURVE_PREFERENCES',
};

describe('TLS minimum version', () => {
  test.each([
    ['VersionTLS10', 'TLSv1'],
    ['VersionTLS11', 'TLSv1.1'],
    ['VersionTLS12', 'TLSv1.2'],
    ['VersionTLS13', 'TLSv1.3'],
    [' VersionTLS13 ', 'TLSv1.3'],
  ])('Go name %s is Node %s', (go, node) => {
    expect(parseTlsMinVersion(go, '--tls-min-version')).toBe(node);
  });

  test('unset is TLS 1.2, what the operands always served', () => {
    expect(parseTlsMinVersion('', '--tls-min-version')).toBe('TLSv1.2');
  });

  test('an unknown name is an error naming the setting and the accepted names', () => {
    expect(() => parseTlsMinVersion('TLS1.3', 'TLS_MIN_VERSION')).toThrow(
      'TLS_MIN_VERSION: unknown TLS version "TLS1.3": one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13',
    );
  });
});

describe('cipher suites, IANA to OpenSSL', () => {
  test('TLS 1.2 and 1.3 suites map in the order given', () => {
    expect(
      opensslCiphers(
        'TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_RSA_WITH_AES_256_GCM_SHA384',
        'x',
      ),
    ).toBe(
      'TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:AES256-GCM-SHA384',
    );
  });

  test("Go's short ChaCha20 spelling means the same suite", () => {
    expect(opensslCiphers('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'x')).toBe('ECDHE-RSA-CHACHA20-POLY1305');
  });

  test('unset keeps Node defaults', () => {
    expect(opensslCiphers('', 'x')).toBeUndefined();
  });

  test('an OpenSSL name, a suite OpenSSL 3 dropped, and an empty entry are refused by setting', () => {
    expect(() => opensslCiphers('ECDHE-RSA-AES128-GCM-SHA256', 'TLS_CIPHER_SUITES')).toThrow(
      /^TLS_CIPHER_SUITES: unknown or unsupported cipher suite "ECDHE-RSA-AES128-GCM-SHA256"/,
    );
    expect(() => opensslCiphers('TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'x')).toThrow(TlsSettingError);
    expect(() => opensslCiphers('TLS_AES_128_GCM_SHA256,', 'x')).toThrow(
      'x: empty cipher suite name in the list',
    );
  });

  test('a suite named twice is refused', () => {
    expect(() =>
      opensslCiphers('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'x'),
    ).toThrow('x: duplicate cipher suite TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
  });
});

describe('curve preferences, CurveIDs or names to OpenSSL groups', () => {
  test('P-256, P-384, P-521 and X25519 by their NamedGroup numbers, in order', () => {
    expect(opensslCurves('29, 23,24,25', 'x')).toBe('X25519:P-256:P-384:P-521');
  });

  test.each([
    ['X25519', 29, 'X25519'],
    ['secp256r1', 23, 'P-256'],
    ['secp384r1', 24, 'P-384'],
    ['secp521r1', 25, 'P-521'],
    ['CurveP256', 23, 'P-256'],
    ['CurveP384', 24, 'P-384'],
    ['CurveP521', 25, 'P-521'],
    ['prime256v1', 23, 'P-256'],
    ['P-384', 24, 'P-384'],
    ['x25519', 29, 'X25519'],
  ])('the name %s is CurveID %d, OpenSSL group %s', (name, id, openssl) => {
    expect(parseCurve(name, 'x')).toMatchObject({ id, openssl });
    expect(numericCurveIds(name, 'x')).toBe(String(id));
  });

  test('numbers and names mix; the operands are given numbers', () => {
    expect(opensslCurves('X25519,23, secp384r1', 'x')).toBe('X25519:P-256:P-384');
    expect(numericCurveIds('X25519,23, secp384r1', 'x')).toBe('29,23,24');
    expect(numericCurveIds(' ', 'x')).toBeUndefined();
  });

  test('every table row is reachable by its number and each of its names', () => {
    for (const curve of CURVES) {
      expect(parseCurve(String(curve.id), 'x')).toBe(curve);
      for (const name of curve.names) expect(parseCurve(name, 'x')).toBe(curve);
    }
  });

  test('unknown names, out-of-range, duplicate and unsupported ids are refused by setting', () => {
    expect(() => opensslCurves('X448', 'TLS_CURVE_PREFERENCES')).toThrow(
      'TLS_CURVE_PREFERENCES: unknown curve preference "X448" (23 secp256r1, 24 secp384r1, 25 secp521r1, 29 X25519)',
    );
    expect(() => opensslCurves('23,', 'x')).toThrow('x: empty curve preference in the list');
    expect(() => opensslCurves('0', 'x')).toThrow(/invalid curve preference "0"/);
    expect(() => opensslCurves('70000', 'x')).toThrow(/invalid curve preference "70000"/);
    expect(() => opensslCurves('23,23', 'x')).toThrow('x: duplicate curve preference 23');
    expect(() => opensslCurves('23,secp256r1', 'x')).toThrow('x: duplicate curve preference secp256r1');
    expect(() => opensslCurves('4588', 'x')).toThrow(
      /^x: curve preference 4588 is not supported \(23 secp256r1/,
    );
  });
});

describe('the three together', () => {
  test('as Node server options, leaving unset ones out', () => {
    expect(
      tlsServerSettings({ minVersion: 'VersionTLS13', cipherSuites: '', curvePreferences: '29' }),
    ).toEqual({ minVersion: 'TLSv1.3', ecdhCurve: 'X25519' });
  });

  test('errors name the variable the operator read', () => {
    expect(() =>
      tlsServerSettings({ minVersion: '', cipherSuites: 'nope', curvePreferences: '' }, ENV_NAMES),
    ).toThrow(/^TLS_CIPHER_SUITES: /);
  });

  test('as flags, a bad value is a FlagError naming the flag', () => {
    const flags: Record<string, string> = { 'tls-min-version': 'VersionTLS9' };
    const read = (n: string): string => flags[n] ?? '';
    expect(() => parseTlsFlags(read)).toThrow(FlagError);
    expect(() => parseTlsFlags(read)).toThrow(/^--tls-min-version: unknown TLS version "VersionTLS9"/);
  });
});
