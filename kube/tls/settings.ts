// The operands' TLS knobs, as upstream passes them (metallb-operator pkg/tlsconfig/tlsopt.go, the
// --tls-min-version / --tls-cipher-suites / --tls-curve-preferences flags of MetalLB's binaries): Go's
// version names, IANA cipher-suite names (k8s.io/component-base cli/flag ciphersuites_flag.go), numeric
// CurveIDs (RFC 8446 section 4.2.7 NamedGroup values), all comma-separated; curves may also be named
// (secp256r1, X25519, Go's CurveP256), and the operator passes them on as numbers, which upstream's Go
// operands need. Node's TLS takes OpenSSL's names instead, so this maps them. Pure: text in, Node's secure-context options or a TlsSettingError naming
// the setting out. The operator checks its TLS_* variables with the same functions, so a value it passes on
// is one the operands accept.
import type { SecureVersion } from 'node:tls';
import { FlagError, type FlagSpec } from '../goflags';

export class TlsSettingError extends Error {
  override readonly name = 'TlsSettingError';

  constructor(
    /** The flag or variable, e.g. `--tls-min-version` or `TLS_MIN_VERSION`. */
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

/** What Node's https.createServer takes; absent fields keep Node's defaults. */
export interface TlsServerSettings {
  readonly minVersion: SecureVersion;
  /** OpenSSL cipher list (TLS 1.2 and 1.3 names, colon-separated). */
  readonly ciphers?: string;
  /** OpenSSL group list, colon-separated, in preference order. */
  readonly ecdhCurve?: string;
}

/** The raw text of the three settings, as flags or variables give it ('' for unset). */
export interface TlsSettingsText {
  readonly minVersion: string;
  readonly cipherSuites: string;
  readonly curvePreferences: string;
}

/** The names of the three settings where they come from, for the error messages. */
export interface TlsSettingNames {
  readonly minVersion: string;
  readonly cipherSuites: string;
  readonly curvePreferences: string;
}

export const TLS_FLAG_NAMES: TlsSettingNames = {
  minVersion: '--tls-min-version',
  cipherSuites: '--tls-cipher-suites',
  curvePreferences: '--tls-curve-preferences',
};

/** The three flags for a deployable's FlagSet (kube/goflags.ts); '' leaves the default. */
export const TLS_FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  'tls-min-version': { kind: 'string', default: '' },
  'tls-cipher-suites': { kind: 'string', default: '' },
  'tls-curve-preferences': { kind: 'string', default: '' },
};

/**
 * ironlb's operands without a setting: TLS 1.2, what they always served (controller-runtime's default too).
 * Upstream's operator defaults its own webhook to 1.3; the operands' default is the operands' binaries'.
 */
export const DEFAULT_TLS_MIN_VERSION = 'VersionTLS12';

// Go's crypto/tls version constants, as cli/flag TLSVersion accepts them.
const VERSIONS: Readonly<Record<string, SecureVersion>> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

/**
 * IANA names (RFC 8446 appendix B.4, RFC 5289, RFC 7905, RFC 5246 appendix A.5) of the suites Go's
 * crypto/tls implements and Node's OpenSSL 3 still offers, to OpenSSL's names. Go's other names (RC4 and
 * 3DES suites, the CBC-SHA256 ECDHE ones Go marks insecure) have no OpenSSL 3 implementation at its default
 * security level and are refused with a reason rather than silently dropped.
 */
const CIPHERS: Readonly<Record<string, string>> = {
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  // Go's older spellings of the two ChaCha20 suites.
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
};

/**
 * The IANA name of an OpenSSL cipher name, undefined for one the operands cannot serve (what
 * library-go's OpenSSLToIANACipherSuites does for Go: names without an equivalent are left out).
 */
export function ianaCipherName(openssl: string): string | undefined {
  // The first IANA name of each suite in CIPHERS is the canonical one (the ChaCha20 spellings follow).
  return Object.entries(CIPHERS).find(([, name]) => name === openssl)?.[0];
}

interface Curve {
  /** The TLS Supported Groups registry number (RFC 8446 section 4.2.7), Go's tls.CurveID. */
  readonly id: number;
  /** OpenSSL's group name, what Node's ecdhCurve takes. */
  readonly openssl: string;
  /** Names accepted besides the number: the RFC 8446 name, Go's constant, OpenSSL's and the NIST name. */
  readonly names: readonly string[];
}

/** The groups Go's crypto/tls and Node's OpenSSL 3 both serve, by CurveID and by name. */
export const CURVES: readonly Curve[] = [
  { id: 23, openssl: 'P-256', names: ['secp256r1', 'CurveP256', 'prime256v1', 'P-256'] },
  { id: 24, openssl: 'P-384', names: ['secp384r1', 'CurveP384', 'P-384'] },
  { id: 25, openssl: 'P-521', names: ['secp521r1', 'CurveP521', 'P-521'] },
  { id: 29, openssl: 'X25519', names: ['X25519'] },
];

const supportedCurves = (): string => CURVES.map((c) => `${c.id} ${c.names[0] ?? c.openssl}`).join(', ');

/**
 * One entry of a curve list, a CurveID or a name (case-insensitive), as its table row. An unknown name or an
 * unsupported number is a TlsSettingError naming the setting.
 */
export function parseCurve(part: string, setting: string): Curve {
  if (/^\d+$/.test(part)) {
    const id = Number(part);
    if (!(id >= 1 && id <= 0xffff))
      throw new TlsSettingError(
        setting,
        `invalid curve preference ${JSON.stringify(part)}: a CurveID (1-65535) or a name`,
      );
    const curve = CURVES.find((c) => c.id === id);
    if (curve === undefined)
      throw new TlsSettingError(setting, `curve preference ${id} is not supported (${supportedCurves()})`);
    return curve;
  }
  const wanted = part.toLowerCase();
  const curve = CURVES.find((c) => c.names.some((n) => n.toLowerCase() === wanted));
  if (curve === undefined)
    throw new TlsSettingError(
      setting,
      part === ''
        ? 'empty curve preference in the list'
        : `unknown curve preference ${JSON.stringify(part)} (${supportedCurves()})`,
    );
  return curve;
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim());

export function parseTlsMinVersion(text: string, setting: string): SecureVersion {
  const value = text.trim() === '' ? DEFAULT_TLS_MIN_VERSION : text.trim();
  const version = VERSIONS[value];
  if (version === undefined)
    throw new TlsSettingError(
      setting,
      `unknown TLS version ${JSON.stringify(value)}: one of ${Object.keys(VERSIONS).join(', ')}`,
    );
  return version;
}

/** IANA names to an OpenSSL cipher list; undefined for '' (Node's defaults). */
export function opensslCiphers(text: string, setting: string): string | undefined {
  if (text.trim() === '') return undefined;
  const names = list(text);
  const seen = new Set<string>();
  return names
    .map((name) => {
      const openssl = CIPHERS[name];
      if (openssl === undefined)
        throw new TlsSettingError(
          setting,
          name === ''
            ? 'empty cipher suite name in the list'
            : `unknown or unsupported cipher suite ${JSON.stringify(name)} (IANA names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)`,
        );
      if (seen.has(openssl)) throw new TlsSettingError(setting, `duplicate cipher suite ${name}`);
      seen.add(openssl);
      return openssl;
    })
    .join(':');
}

/** Curves by CurveID or name, in preference order, checked and without repeats. */
function parseCurves(text: string, setting: string): Curve[] {
  const seen = new Set<number>();
  return list(text).map((part) => {
    const curve = parseCurve(part, setting);
    if (seen.has(curve.id)) throw new TlsSettingError(setting, `duplicate curve preference ${part}`);
    seen.add(curve.id);
    return curve;
  });
}

/** CurveIDs or names, in preference order, to an OpenSSL group list; undefined for '' (Node's defaults). */
export function opensslCurves(text: string, setting: string): string | undefined {
  if (text.trim() === '') return undefined;
  return parseCurves(text, setting)
    .map((c) => c.openssl)
    .join(':');
}

/**
 * CurveIDs or names as the numeric CurveIDs upstream's operands take (`--tls-curve-preferences`, Go's
 * tls.CurveID), comma-separated; undefined for ''.
 */
export function numericCurveIds(text: string, setting: string): string | undefined {
  if (text.trim() === '') return undefined;
  return parseCurves(text, setting)
    .map((c) => String(c.id))
    .join(',');
}

/** The three settings as Node's server options, each error naming the setting it came from. */
export function tlsServerSettings(
  text: TlsSettingsText,
  names: TlsSettingNames = TLS_FLAG_NAMES,
): TlsServerSettings {
  const ciphers = opensslCiphers(text.cipherSuites, names.cipherSuites);
  const ecdhCurve = opensslCurves(text.curvePreferences, names.curvePreferences);
  return {
    minVersion: parseTlsMinVersion(text.minVersion, names.minVersion),
    ...(ciphers !== undefined ? { ciphers } : {}),
    ...(ecdhCurve !== undefined ? { ecdhCurve } : {}),
  };
}

/** The three flags of TLS_FLAG_SPECS, read by the deployable's flag lookup; a bad value is a FlagError. */
export function parseTlsFlags(flag: (name: string) => string): TlsServerSettings {
  try {
    return tlsServerSettings({
      minVersion: flag('tls-min-version'),
      cipherSuites: flag('tls-cipher-suites'),
      curvePreferences: flag('tls-curve-preferences'),
    });
  } catch (err) {
    if (err instanceof TlsSettingError) throw new FlagError(err.message);
    throw err;
  }
}

/** ironlb's servers without a setting: TLS 1.2 and up, Node's ciphers and groups. */
export const DEFAULT_TLS_SERVER_SETTINGS: TlsServerSettings = { minVersion: 'TLSv1.2' };
