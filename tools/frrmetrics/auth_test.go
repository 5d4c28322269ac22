package main

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func TestAuthorizationFollowsHTTPSUnlessSaid(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"--tls-cert-file=/c", "--tls-private-key-file=/k"}, true},
		{[]string{"--tls-cert-file=/c", "--tls-private-key-file=/k", "--authorize-metrics=false"}, false},
		{[]string{"--authorize-metrics=true"}, true},
	} {
		o, err := parseFlags(c.args)
		if err != nil {
			t.Fatal(err)
		}
		if o.wantsAuthorization() != c.want {
			t.Errorf("%v: wantsAuthorization %v, want %v", c.args, !c.want, c.want)
		}
	}
	var fe *FlagError
	if _, err := parseFlags([]string{"--authorize-metrics=yes"}); !errors.As(err, &fe) || fe.Flag != "authorize-metrics" {
		t.Errorf("got %v, want a FlagError for --authorize-metrics", err)
	}
}

func TestNoBearerTokenIsUnauthorizedWithoutAskingTheAPIServer(t *testing.T) {
	// No server at all: a request without a bearer token must be answered before any review is posted.
	c := &kubeClient{server: "https://192.0.2.1:1", tokenFile: "/nonexistent", http: http.DefaultClient}
	for _, header := range []string{"", "Basic dXNlcjpwYXNz", "Bearer"} {
		code, err := c.authorize(context.Background(), header, "/metrics")
		if err != nil || code != http.StatusUnauthorized {
			t.Errorf("%q: got %d %v, want 401", header, code, err)
		}
	}
}

func TestKubeClientNeedsAnAPIServerAndItsCA(t *testing.T) {
	var fe *FlagError
	if _, err := newKubeClient("", serviceAccountTokenFile, serviceAccountCAFile); !errors.As(err, &fe) || fe.Flag != "kube-api-server" {
		t.Errorf("no server: got %v", err)
	}
	if _, err := newKubeClient("https://192.0.2.1:6443", "/nonexistent-token", "/nonexistent-ca"); !errors.As(err, &fe) || fe.Flag != "kube-ca-file" {
		t.Errorf("no CA file: got %v", err)
	}
}
