// On OpenShift the cluster's TLS security profile (apiservers.config.openshift.io/cluster
// spec.tlsSecurityProfile) decides the operands' TLS settings, overriding TLS_* from the environment, as
// upstream's operator does (metallb-operator pkg/openshift/tls.go): the profile's OpenSSL cipher names become
// IANA names, unknown ones left out (library-go crypto.OpenSSLToIANACipherSuites), and its minTLSVersion is
// passed as it is. Curves are not part of the profile yet, so TLS_CURVE_PREFERENCES stays as set. Pure: the
// object in, the settings out; tlswatch.ts keeps them current.
import { z } from 'zod';
import { TlsSettingError, ianaCipherName, parseTlsMinVersion } from '../../kube/tls/settings';
import type { TlsOptions } from '../../render/options';

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const ECDHE_GCM_CHACHA = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

interface ProfileSpec {
  readonly ciphers: readonly string[];
  readonly minTLSVersion: string;
}

/** openshift/api config/v1 TLSProfiles (after Mozilla's server-side TLS guidelines 5.7). */
export const TLS_PROFILES: Readonly<Record<'Old' | 'Intermediate' | 'Modern', ProfileSpec>> = {
  Old: {
    ciphers: [
      ...TLS13,
      ...ECDHE_GCM_CHACHA,
      'ECDHE-ECDSA-AES128-SHA256',
      'ECDHE-RSA-AES128-SHA256',
      'ECDHE-ECDSA-AES128-SHA',
      'ECDHE-RSA-AES128-SHA',
      'ECDHE-ECDSA-AES256-SHA384',
      'ECDHE-RSA-AES256-SHA384',
      'ECDHE-ECDSA-AES256-SHA',
      'ECDHE-RSA-AES256-SHA',
      'AES128-GCM-SHA256',
      'AES256-GCM-SHA384',
      'AES128-SHA256',
      'AES256-SHA256',
      'AES128-SHA',
      'AES256-SHA',
      'DES-CBC3-SHA',
    ],
    minTLSVersion: 'VersionTLS10',
  },
  Intermediate: { ciphers: [...TLS13, ...ECDHE_GCM_CHACHA], minTLSVersion: 'VersionTLS12' },
  Modern: { ciphers: TLS13, minTLSVersion: 'VersionTLS13' },
};

const APIServer = z.looseObject({
  spec: z
    .looseObject({
      tlsSecurityProfile: z
        .looseObject({
          type: z.string().optional(),
          custom: z
            .looseObject({
              ciphers: z.array(z.string()).optional(),
              minTLSVersion: z.string().optional(),
            })
            .nullish(),
        })
        .nullish(),
    })
    .optional(),
});

export class TlsProfileError extends Error {
  override readonly name = 'TlsProfileError';
}

/** The profile of an APIServer object as the operands' TLS settings; no profile means Intermediate. */
export function tlsOptionsFromApiServer(
  apiServer: unknown,
  curvePreferences: string | undefined,
): TlsOptions {
  const parsed = APIServer.safeParse(apiServer);
  if (!parsed.success)
    throw new TlsProfileError(
      `apiservers.config.openshift.io/cluster spec.tlsSecurityProfile: ${parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  const profile = parsed.data.spec?.tlsSecurityProfile;
  const type = profile?.type ?? 'Intermediate';
  let spec: ProfileSpec;
  if (type === 'Custom') {
    const custom = profile?.custom;
    if (custom?.minTLSVersion === undefined)
      throw new TlsProfileError(
        'apiservers.config.openshift.io/cluster spec.tlsSecurityProfile: type Custom without custom.minTLSVersion',
      );
    try {
      parseTlsMinVersion(custom.minTLSVersion, 'custom.minTLSVersion');
    } catch (err) {
      if (!(err instanceof TlsSettingError)) throw err;
      throw new TlsProfileError(
        `apiservers.config.openshift.io/cluster spec.tlsSecurityProfile.${err.message}`,
      );
    }
    spec = { ciphers: custom.ciphers ?? [], minTLSVersion: custom.minTLSVersion };
  } else if (type === 'Old' || type === 'Intermediate' || type === 'Modern') {
    spec = TLS_PROFILES[type];
  } else {
    throw new TlsProfileError(
      `apiservers.config.openshift.io/cluster spec.tlsSecurityProfile.type ${JSON.stringify(type)}: one of Old, Intermediate, Modern, Custom`,
    );
  }
  const iana = spec.ciphers.map(ianaCipherName).filter((n): n is string => n !== undefined);
  return {
    minVersion: spec.minTLSVersion,
    cipherSuites: iana.length > 0 ? iana.join(',') : undefined,
    curvePreferences,
  };
}
