package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// vtyshAnswering answers each command with the given text; an absent command fails as vtysh does when a
// daemon is not running.
func vtyshAnswering(answers map[string][]byte) vtyshRunner {
	return func(_ context.Context, command string) ([]byte, error) {
		if out, ok := answers[command]; ok {
			return out, nil
		}
		return nil, errors.New("bfdd is not running")
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body), rec.Result().Header
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMetricsServesBGPWhenBFDFails(t *testing.T) {
	h := metricsHandler(vtyshAnswering(map[string][]byte{neighborsCommand: golden(t, "neighbors-established.json")}), quiet)
	code, body, header := get(t, h, "/metrics")
	if code != 200 || header.Get("Content-Type") != expositionContentType {
		t.Fatalf("code %d, content type %q", code, header.Get("Content-Type"))
	}
	if !strings.Contains(body, `metallb_bgp_session_up{peer="192.0.2.1:54854",vrf="default"} 1`+"\n") {
		t.Errorf("no session series in\n%s", body)
	}
	if strings.Contains(body, "metallb_bfd_") {
		t.Errorf("BFD series without bfdd:\n%s", body)
	}
}

func TestLivezNeedsEveryRequiredDaemon(t *testing.T) {
	required := []string{"bfdd", "bgpd", "zebra"}
	for _, c := range []struct {
		daemons string
		want    int
	}{
		{" zebra bgpd bfdd staticd\n", 200},
		{" zebra bgpd\n", 503},
	} {
		h := livezHandler(vtyshAnswering(map[string][]byte{"show daemons": []byte(c.daemons)}), required, quiet)
		if code, body, _ := get(t, h, "/livez"); code != c.want {
			t.Errorf("%q: got %d %q, want %d", c.daemons, code, body, c.want)
		}
	}
	h := livezHandler(vtyshAnswering(nil), required, quiet)
	if code, _, _ := get(t, h, "/livez"); code != 503 {
		t.Errorf("vtysh failing: got %d, want 503", code)
	}
}
