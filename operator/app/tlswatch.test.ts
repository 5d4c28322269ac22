import { captureLogger } from '../../testkit/capturedlogger';
import type { TlsOptions } from '../../render/options';
import { ClusterTlsSettings, sameTlsOptions } from './tlswatch';

const apiServer = (type: string, tlsAdherence?: string) => ({
  apiVersion: 'config.openshift.io/v1',
  kind: 'APIServer',
  metadata: { name: 'cluster' },
  spec: { tlsSecurityProfile: { type }, ...(tlsAdherence !== undefined ? { tlsAdherence } : {}) },
});

const opts = (o: Partial<TlsOptions>): TlsOptions => ({
  minVersion: undefined,
  cipherSuites: undefined,
  curvePreferences: undefined,
  ...o,
});

const MODERN_SUITES = 'TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256';

function watched(environment: TlsOptions | undefined) {
  const captured = captureLogger('debug');
  const changes: Array<TlsOptions | undefined> = [];
  const settings = new ClusterTlsSettings({
    environment,
    logger: captured.logger,
    onChange: (tls) => changes.push(tls),
  });
  return { settings, changes, captured };
}

describe('the TLS settings in force, from the environment and the cluster profile', () => {
  test('before any APIServer is seen, the environment', () => {
    const { settings, changes } = watched(opts({ minVersion: 'VersionTLS13' }));
    expect(settings.current()).toEqual(opts({ minVersion: 'VersionTLS13' }));
    expect(changes).toEqual([]);
  });

  test('a profile replaces them and reports the change once; the same profile again changes nothing', () => {
    const { settings, changes } = watched(opts({ curvePreferences: '29' }));
    settings.observe(apiServer('Modern'));
    settings.observe(apiServer('Modern'));
    expect(settings.current()).toEqual({
      minVersion: 'VersionTLS13',
      cipherSuites: MODERN_SUITES,
      curvePreferences: '29',
    });
    expect(changes).toHaveLength(1);
  });

  test('Intermediate to Modern is a change to TLS 1.3; the APIServer gone brings the environment back', () => {
    const { settings, changes } = watched(undefined);
    settings.observe(apiServer('Intermediate'));
    settings.observe(apiServer('Modern'));
    settings.observe(undefined);
    expect(changes.map((c) => c?.minVersion)).toEqual(['VersionTLS12', 'VersionTLS13', undefined]);
    expect(settings.current()).toBeUndefined();
  });

  test('a profile it cannot read keeps the settings in force and logs the field', () => {
    const { settings, changes, captured } = watched(undefined);
    settings.observe(apiServer('Modern'));
    settings.observe(apiServer('Paranoid'));
    expect(settings.current()?.minVersion).toBe('VersionTLS13');
    expect(changes).toHaveLength(1);
    const errors = captured.lines().filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.error)).toMatch(/spec\.tlsSecurityProfile\.type "Paranoid"/);
  });

  test('an adherence change that alters the settings is a change: TLS_* set, legacy to strict', () => {
    const { settings, changes } = watched(opts({ minVersion: 'VersionTLS12' }));
    settings.observe(apiServer('Modern', 'LegacyAdheringComponentsOnly'));
    expect(changes).toEqual([opts({ minVersion: 'VersionTLS12', cipherSuites: MODERN_SUITES })]);
    settings.observe(apiServer('Modern', 'StrictAllComponents'));
    expect(settings.current()?.minVersion).toBe('VersionTLS13');
    expect(changes).toHaveLength(2);
  });

  test('an unknown adherence policy is warned about once, however often it is seen', () => {
    const { settings, captured } = watched(undefined);
    settings.observe(apiServer('Modern', 'Future'));
    settings.observe(apiServer('Intermediate', 'Future'));
    const warnings = captured.lines().filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.tlsAdherence).toBe('Future');
  });

  test('settings compare by their three values', () => {
    expect(sameTlsOptions(undefined, opts({}))).toBe(true);
    expect(sameTlsOptions(opts({ minVersion: 'VersionTLS12' }), opts({ minVersion: 'VersionTLS12' }))).toBe(
      true,
    );
    expect(sameTlsOptions(opts({ cipherSuites: 'a' }), opts({ cipherSuites: 'b' }))).toBe(false);
  });
});
