import type { TlsOptions } from '../../render/options';
import { TLS_ADHERENCE, resolveClusterTls, tlsAdherenceOf } from './tlsadherence';

const apiServer = (type: string, tlsAdherence?: string) => ({
  metadata: { name: 'cluster' },
  spec: { tlsSecurityProfile: { type }, ...(tlsAdherence !== undefined ? { tlsAdherence } : {}) },
});

const MODERN_SUITES = 'TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256';
const ENV: TlsOptions = {
  minVersion: 'VersionTLS12',
  cipherSuites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  curvePreferences: '29',
};
const UNSET: TlsOptions = { minVersion: undefined, cipherSuites: undefined, curvePreferences: undefined };

describe('the TLS adherence policy decides between the profile and TLS_*', () => {
  test('StrictAllComponents: the profile replaces TLS_MIN_VERSION and TLS_CIPHER_SUITES; curves stay', () => {
    const d = resolveClusterTls(apiServer('Modern', TLS_ADHERENCE.strict), ENV);
    expect(d.tls).toEqual({
      minVersion: 'VersionTLS13',
      cipherSuites: MODERN_SUITES,
      curvePreferences: '29',
    });
    expect(d).toMatchObject({ adherence: 'StrictAllComponents', isStrict: true, isUnknownPolicy: false });
  });

  test.each([
    ['unset', undefined],
    ['LegacyAdheringComponentsOnly', TLS_ADHERENCE.legacy],
  ])('%s: TLS_* that are set win, setting by setting', (_name, policy) => {
    const d = resolveClusterTls(apiServer('Modern', policy), ENV);
    expect(d.tls).toEqual(ENV);
    expect(d.isStrict).toBe(false);
    const onlyVersion = resolveClusterTls(apiServer('Modern', policy), {
      ...UNSET,
      minVersion: 'VersionTLS12',
    });
    expect(onlyVersion.tls).toEqual({ ...UNSET, minVersion: 'VersionTLS12', cipherSuites: MODERN_SUITES });
  });

  test('unset or legacy with no TLS_* set: the profile, as upstream renders it', () => {
    for (const policy of [undefined, TLS_ADHERENCE.legacy])
      expect(resolveClusterTls(apiServer('Modern', policy), UNSET).tls).toEqual({
        minVersion: 'VersionTLS13',
        cipherSuites: MODERN_SUITES,
        curvePreferences: undefined,
      });
  });

  test('an unknown policy is strict, and says it is unknown', () => {
    const d = resolveClusterTls(apiServer('Modern', 'EvenStricterComponents'), ENV);
    expect(d.tls.minVersion).toBe('VersionTLS13');
    expect(d).toMatchObject({ isStrict: true, isUnknownPolicy: true, adherence: 'EvenStricterComponents' });
  });

  test('the policy of an object without spec, or with a malformed one, is unset', () => {
    expect(tlsAdherenceOf({ metadata: { name: 'cluster' } })).toBe('');
    expect(tlsAdherenceOf({ spec: { tlsAdherence: 3 } })).toBe('');
  });
});
