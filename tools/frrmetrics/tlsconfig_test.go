package main

import (
	"crypto/tls"
	"errors"
	"slices"
	"testing"
)

func TestServerTLSConfigDefaultsToTLS12(t *testing.T) {
	cfg, err := serverTLSConfig(tlsSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 || cfg.CipherSuites != nil || cfg.CurvePreferences != nil {
		t.Errorf("got %+v", cfg)
	}
}

func TestServerTLSConfigAppliesTheThreeFlags(t *testing.T) {
	cfg, err := serverTLSConfig(tlsSettings{
		minVersion:       "VersionTLS13",
		cipherSuites:     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
		curvePreferences: "29,23,secp384r1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS13 {
		t.Errorf("min version %x", cfg.MinVersion)
	}
	wantSuites := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}
	if !slices.Equal(cfg.CipherSuites, wantSuites) {
		t.Errorf("suites %v, want %v", cfg.CipherSuites, wantSuites)
	}
	wantCurves := []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}
	if !slices.Equal(cfg.CurvePreferences, wantCurves) {
		t.Errorf("curves %v, want %v", cfg.CurvePreferences, wantCurves)
	}
}

func TestServerTLSConfigRefusesUnknownValuesNamingTheFlag(t *testing.T) {
	for _, c := range []struct {
		settings tlsSettings
		flag     string
	}{
		{tlsSettings{minVersion: "TLS1.2"}, "tls-min-version"},
		{tlsSettings{cipherSuites: "ECDHE-RSA-AES128-GCM-SHA256"}, "tls-cipher-suites"},
		{tlsSettings{curvePreferences: "22"}, "tls-curve-preferences"},
		{tlsSettings{curvePreferences: "brainpool"}, "tls-curve-preferences"},
	} {
		_, err := serverTLSConfig(c.settings)
		var fe *FlagError
		if !errors.As(err, &fe) || fe.Flag != c.flag {
			t.Errorf("%+v: got %v, want a FlagError for --%s", c.settings, err, c.flag)
		}
	}
}

func TestParseFlagsTakesRenderFrrArgs(t *testing.T) {
	o, err := parseFlags([]string{
		"--metrics-port=7473", "--tls-cert-file=/etc/metrics/tls.crt", "--tls-private-key-file=/etc/metrics/tls.key",
		"--tls-min-version=VersionTLS13", "--tls-cipher-suites=TLS_AES_128_GCM_SHA256", "--tls-curve-preferences=29",
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.port != 7473 || o.certFile != "/etc/metrics/tls.crt" || o.tls.minVersion != "VersionTLS13" || o.metricsPath != "/metrics" {
		t.Errorf("got %+v", o)
	}
	if !slices.Equal(o.requiredDaemons, []string{"bfdd", "bgpd", "staticd", "watchfrr", "zebra"}) {
		t.Errorf("required daemons %v", o.requiredDaemons)
	}
}

func TestParseFlagsRefusesACertificateWithoutItsKey(t *testing.T) {
	var fe *FlagError
	if _, err := parseFlags([]string{"--tls-cert-file=/x"}); !errors.As(err, &fe) {
		t.Errorf("got %v, want a FlagError", err)
	}
	if _, err := parseFlags([]string{"--metrics-port=70000"}); !errors.As(err, &fe) || fe.Flag != "metrics-port" {
		t.Errorf("got %v, want a FlagError for --metrics-port", err)
	}
}
