// OpenShift's TLS adherence policy (apiservers.config.openshift.io/cluster spec.tlsAdherence, openshift/api
// config/v1 TLSAdherencePolicy; openshift/enhancements enhancements/security/centralized-tls-config.md):
// which components must follow the cluster's TLS security profile.
//   - `StrictAllComponents`: every component honours the profile.
//   - `LegacyAdheringComponentsOnly`, and the field unset (`NoOpinion`, the same): only the components that
//     followed the profile before the field existed keep doing so; others keep their own configuration.
//   - any other value: treated as `StrictAllComponents` and warned about, as library-go's
//     ShouldHonorClusterTLSProfile does (a newer, stricter policy must not loosen anything here).
// MetalLB's operator followed the profile before the field existed, so it is one of the legacy-adhering
// components, and its own configuration is TLS_*. Decided here (operator/README.md says why):
//   - strict: the profile's minimum version and ciphers replace TLS_MIN_VERSION and TLS_CIPHER_SUITES;
//   - legacy or unset: a TLS_* variable that is set wins over the profile for its setting, and the profile
//     fills in the settings the environment leaves unset (upstream's operator lets the profile win in every
//     mode; with no TLS_* set, its default, both render the same).
// Curves are not in the profile, so TLS_CURVE_PREFERENCES applies in every mode. Pure: data in, data out.
import { z } from 'zod';
import type { TlsOptions } from '../../render/options';
import { tlsOptionsFromApiServer } from './tlsprofile';

export const TLS_ADHERENCE = {
  noOpinion: '',
  legacy: 'LegacyAdheringComponentsOnly',
  strict: 'StrictAllComponents',
} as const;

export interface ClusterTlsDecision {
  readonly tls: TlsOptions;
  /** spec.tlsAdherence as written ('' when unset). */
  readonly adherence: string;
  /** Whether the profile overrides TLS_* (strict, or a value this operator does not know). */
  readonly isStrict: boolean;
  /** A policy this operator does not know, treated as strict. */
  readonly isUnknownPolicy: boolean;
}

const Adherence = z.looseObject({
  spec: z.looseObject({ tlsAdherence: z.string().optional() }).optional(),
});

export function tlsAdherenceOf(apiServer: unknown): string {
  const parsed = Adherence.safeParse(apiServer);
  return parsed.success ? (parsed.data.spec?.tlsAdherence ?? '') : '';
}

/**
 * The settings in force for an APIServer object and the environment's TLS_*: the profile
 * (tlsprofile.ts) combined with the environment as the adherence policy says. Throws TlsProfileError for a
 * profile it cannot read.
 */
export function resolveClusterTls(
  apiServer: unknown,
  environment: TlsOptions | undefined,
): ClusterTlsDecision {
  const profile = tlsOptionsFromApiServer(apiServer, environment?.curvePreferences);
  const adherence = tlsAdherenceOf(apiServer);
  const isLegacy = adherence === TLS_ADHERENCE.noOpinion || adherence === TLS_ADHERENCE.legacy;
  const isUnknownPolicy = !isLegacy && adherence !== TLS_ADHERENCE.strict;
  const tls: TlsOptions = isLegacy
    ? {
        minVersion: environment?.minVersion ?? profile.minVersion,
        cipherSuites: environment?.cipherSuites ?? profile.cipherSuites,
        curvePreferences: profile.curvePreferences,
      }
    : profile;
  return { tls, adherence, isStrict: !isLegacy, isUnknownPolicy };
}
