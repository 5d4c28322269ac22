package main

// The TLS flags render/frr.ts passes (--tls-min-version, --tls-cipher-suites, --tls-curve-preferences) to a
// crypto/tls server config, with the spellings ironlb's operator checks them against (kube/tls/settings.ts):
// Go's version names, IANA cipher-suite names, CurveIDs as numbers or names, comma-separated.

import (
	"crypto/tls"
	"fmt"
	"strconv"
	"strings"
)

// FlagError names the flag and why its value is refused.
type FlagError struct {
	Flag   string
	Reason string
}

func (e *FlagError) Error() string { return fmt.Sprintf("--%s: %s", e.Flag, e.Reason) }

// defaultMinVersion is ironlb's operands' default without a setting (kube/tls/settings.ts
// DEFAULT_TLS_MIN_VERSION), so frr-metrics serves what the speaker's own metrics endpoint serves.
const defaultMinVersion = tls.VersionTLS12

var tlsVersions = map[string]uint16{
	"VersionTLS10": tls.VersionTLS10,
	"VersionTLS11": tls.VersionTLS11,
	"VersionTLS12": tls.VersionTLS12,
	"VersionTLS13": tls.VersionTLS13,
}

// Names accepted for each group besides its number: RFC 8446 section 4.2.7's, Go's constant, OpenSSL's.
var curveNames = map[string]tls.CurveID{
	"secp256r1": tls.CurveP256, "curvep256": tls.CurveP256, "prime256v1": tls.CurveP256, "p-256": tls.CurveP256,
	"secp384r1": tls.CurveP384, "curvep384": tls.CurveP384, "p-384": tls.CurveP384,
	"secp521r1": tls.CurveP521, "curvep521": tls.CurveP521, "p-521": tls.CurveP521,
	"x25519":         tls.X25519,
	"x25519mlkem768": tls.X25519MLKEM768,
}

var supportedCurves = map[tls.CurveID]bool{
	tls.CurveP256: true, tls.CurveP384: true, tls.CurveP521: true, tls.X25519: true,
	tls.X25519MLKEM768: true, tls.SecP256r1MLKEM768: true, tls.SecP384r1MLKEM1024: true,
}

// Go's older spellings of the two ChaCha20 suites (the constants crypto/tls still defines).
var cipherAliases = map[string]uint16{
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
}

func splitList(text string) []string {
	var parts []string
	for _, p := range strings.Split(text, ",") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

func cipherSuiteID(name string) (uint16, bool) {
	for _, suites := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range suites {
			if s.Name == name {
				return s.ID, true
			}
		}
	}
	id, ok := cipherAliases[name]
	return id, ok
}

func parseCurve(part string) (tls.CurveID, error) {
	if n, err := strconv.ParseUint(part, 10, 16); err == nil {
		if id := tls.CurveID(n); supportedCurves[id] {
			return id, nil
		}
		return 0, &FlagError{"tls-curve-preferences", fmt.Sprintf("curve %s is not supported", part)}
	}
	if id, ok := curveNames[strings.ToLower(part)]; ok {
		return id, nil
	}
	return 0, &FlagError{"tls-curve-preferences", fmt.Sprintf("unknown curve %q: a CurveID or a name", part)}
}

// tlsSettings is the text of the three flags; "" leaves crypto/tls's default (TLS 1.2 for the version).
type tlsSettings struct {
	minVersion       string
	cipherSuites     string
	curvePreferences string
}

// serverTLSConfig builds the server side without certificates; the caller loads them.
func serverTLSConfig(s tlsSettings) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: defaultMinVersion}
	if s.minVersion != "" {
		v, ok := tlsVersions[s.minVersion]
		if !ok {
			return nil, &FlagError{"tls-min-version", fmt.Sprintf("unknown version %q (VersionTLS10 to VersionTLS13)", s.minVersion)}
		}
		cfg.MinVersion = v
	}
	// crypto/tls applies CipherSuites to TLS 1.0-1.2 only; TLS 1.3's suites are not configurable.
	for _, name := range splitList(s.cipherSuites) {
		id, ok := cipherSuiteID(name)
		if !ok {
			return nil, &FlagError{"tls-cipher-suites", fmt.Sprintf("unknown cipher suite %q (IANA names)", name)}
		}
		cfg.CipherSuites = append(cfg.CipherSuites, id)
	}
	for _, part := range splitList(s.curvePreferences) {
		id, err := parseCurve(part)
		if err != nil {
			return nil, err
		}
		cfg.CurvePreferences = append(cfg.CurvePreferences, id)
	}
	return cfg, nil
}
