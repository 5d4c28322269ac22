package main

// /metrics and /livez. A scrape reads FRR afresh (no state kept between scrapes); a source that fails is
// logged and left out, the others are still served, as upstream's promhttp ContinueOnError.

import (
	"log/slog"
	"net/http"
	"strings"
)

// source is one vtysh command and the parser of its output.
type source struct {
	command string
	parse   func([]byte) ([]sample, error)
}

var sources = []source{
	{neighborsCommand, bgpSamples},
	{bfdPeersCommand, bfdSessionSamples},
	{bfdCountersCommand, bfdCounterSamples},
}

func metricsHandler(vtysh vtyshRunner, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var samples []sample
		for _, src := range sources {
			out, err := vtysh(r.Context(), src.command)
			if err == nil {
				var s []sample
				if s, err = src.parse(out); err == nil {
					samples = append(samples, s...)
					continue
				}
			}
			log.Error("cannot read FRR state", "command", src.command, "error", err.Error())
		}
		sortSamples(samples)
		var b strings.Builder
		writeExposition(&b, samples)
		w.Header().Set("Content-Type", expositionContentType)
		_, _ = w.Write([]byte(b.String()))
	})
}

// missingDaemons lists the required daemons `show daemons` (space-separated names) does not name.
func missingDaemons(showDaemons string, required []string) []string {
	running := map[string]bool{}
	for _, d := range strings.Fields(showDaemons) {
		running[d] = true
	}
	var missing []string
	for _, d := range required {
		if !running[d] {
			missing = append(missing, d)
		}
	}
	return missing
}

// livezHandler answers 200 when vtysh answers `show daemons` and names every required daemon, as upstream's
// frr-tools/metrics/liveness: the frr container's probes use it, so a dead daemon restarts FRR.
func livezHandler(vtysh vtyshRunner, required []string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := vtysh(r.Context(), "show daemons")
		if err != nil {
			log.Error("liveness: vtysh does not answer", "error", err.Error())
			http.Error(w, "vtysh does not answer: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		if missing := missingDaemons(string(out), required); len(missing) > 0 {
			log.Error("liveness: daemons not running", "running", strings.TrimSpace(string(out)), "missing", strings.Join(missing, ","))
			http.Error(w, "daemons not running: "+strings.Join(missing, ","), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}
